/**
 * A local OpenAI-compatible server for tests and benchmarks: POST /v1/chat/completions on 127.0.0.1,
 * answering like a model would, from the offline backend. It reads the numbered article blocks back
 * out of the prompt, runs the offline screen / extract / classify methods on them, and returns
 * their results in the response format that was asked for (json_schema, or json_object with the
 * schema name stated in the system message), as real chat.completion JSON with token usage, including
 * the prompt tokens a provider prompt cache would have served (prompt-cache.ts). The Files and Batch
 * APIs answer batch lines the same way (fake-batches.ts).
 * `override` lets a test answer any request itself (errors, refusals, injected quotes).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Article } from '../../schemas/index.ts';
import { POSTMORTEM_FIELDS, TAXONOMY } from '../../schemas/index.ts';
import { contentHash } from '../../pipeline/text/hash.ts';
import { readArticle } from '../../pipeline/backends/offline/evidence.ts';
import { screenDoc } from '../../pipeline/backends/offline/screen.ts';
import { extractPostmortem } from '../../pipeline/backends/offline/extract.ts';
import { classifyDocs } from '../../pipeline/backends/offline/classify.ts';
import { sameIncidentThreshold } from '../../pipeline/backends/offline/index.ts';
import { Corpus, cosine, terms } from '../../pipeline/group/tfidf.ts';
import { daysBetween } from '../../pipeline/text/dates.ts';
import { parseBlocks, type ParsedBlock } from '../../pipeline/backends/openai/articles.ts';
import { countMessages, tokenCounter, tokenEncoder } from '../../pipeline/backends/openai/tokens.ts';
import { FakeBatches } from './fake-batches.ts';
import { PromptCache } from './prompt-cache.ts';

export interface FakeRequest {
  /** 1-based order of arrival. */
  n: number;
  body: {
    model: string;
    messages: { role: string; content: string }[];
    response_format?: { type: string; json_schema?: { name: string } };
    [k: string]: unknown;
  };
  /** The answer format asked for: screen, same_incident, extract, extract_merge, classify. */
  format: string | null;
  /** Article ids in the request's first user message. */
  articleIds: string[];
  /** Prompt tokens as this server counts them. */
  promptTokens: number;
  /** Of those, the ones its prompt cache served (a prefix of at least 1024 tokens sent before). */
  cachedTokens: number;
  /** When it arrived (ms since the epoch). */
  at: number;
  /** The batch it came in, or null for a request of its own. */
  batch: string | null;
}

export interface FakeReply {
  status?: number;
  headers?: Record<string, string>;
  /** An object is sent as JSON; a string is sent as it is (for garbled bodies). */
  body: unknown;
}

/** Returns a reply to send instead of the offline answer, or null to let the offline answer go. */
export type Override = (req: FakeRequest) => FakeReply | string | null | undefined;

export interface FakeOpenAIOptions {
  /** 0 (the default): any free port. */
  port?: number;
  latencyMs?: number;
  /** Refuse requests over this many per sliding minute with a 429, as OpenAI does. */
  rpm?: number;
  override?: Override;
  /** Set false to behave like a server without json_schema support (400 on response_format json_schema). */
  jsonSchema?: boolean;
}

export interface FakeOpenAI {
  /** Base URL to use as OPENAI_BASE_URL (ends in /v1). */
  url: string;
  requests: FakeRequest[];
  /** Requests refused with 429 by the rpm limit. */
  throttled: number;
  override: Override | null;
  tokens: { prompt: number; completion: number };
  /** The Files and Batch APIs: their files, batches and the control a test steers them with. */
  batches: FakeBatches;
  close(): Promise<void>;
}

const count = tokenCounter('gpt-4o-mini');

/** A chat.completion as OpenAI returns it. */
export function completion(
  content: string | null,
  opts: {
    model?: string;
    finish?: string;
    refusal?: string | null;
    promptTokens?: number;
    completionTokens?: number;
    cachedTokens?: number;
  } = {},
) {
  const pt = opts.promptTokens ?? 100,
    ct = opts.completionTokens ?? (content ? count(content) : 1);
  return {
    id: `chatcmpl-fake${Math.random().toString(36).slice(2, 12)}`,
    object: 'chat.completion',
    created: 1_735_689_600,
    model: opts.model ?? 'gpt-4o-mini-2024-07-18',
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content, refusal: opts.refusal ?? null, annotations: [] },
        logprobs: null,
        finish_reason: opts.finish ?? 'stop',
      },
    ],
    usage: {
      prompt_tokens: pt,
      completion_tokens: ct,
      total_tokens: pt + ct,
      prompt_tokens_details: { cached_tokens: opts.cachedTokens ?? 0, audio_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
    },
    service_tier: 'default',
    system_fingerprint: 'fp_fake0001',
  };
}

/** OpenAI's error body. */
export const apiError = (message: string, type: string, code: string | null = null, param: string | null = null) => ({
  error: { message, type, param, code },
});

const asArticle = (b: ParsedBlock): Article => ({
  id: b.id,
  url: null,
  headline: b.headline,
  source: b.source,
  published: b.published,
  text: b.text,
  contentHash: contentHash(b.text),
  origin: 'fake-openai',
  duplicateOf: null,
});

const evidence = (cs: { articleId: string; quote: string }[]) => cs.map((c) => ({ articleId: c.articleId, quote: c.quote }));

/** What the "model" answers: the offline backend's result in the API's answer shape. */
export function offlineAnswer(format: string, messages: FakeRequest['body']['messages']): unknown {
  const user = messages.find((m) => m.role === 'user')?.content ?? '';
  const blocks = parseBlocks(user);
  const docs = blocks.map((b) => readArticle(asArticle(b)));
  switch (format) {
    case 'screen': {
      const s = screenDoc(docs[0]);
      return {
        failedSystem: null,
        cause: null,
        impact: null,
        isFailure: s.isFailure,
        analyzable: s.analyzable,
        confidence: s.confidence,
        rationale: s.rationale,
      };
    }
    case 'same_incident': {
      const [cand, ...members] = blocks.map(asArticle);
      const corpus = new Corpus();
      const all = [cand, ...members].map((a) => terms(a));
      all.forEach((t) => corpus.add(t));
      const v = corpus.vector(all[0]);
      const sim = Math.max(0, ...all.slice(1).map((t) => cosine(v, corpus.vector(t))));
      const gaps = members.map((m) => daysBetween(cand.published, m.published)).filter((d): d is number => d !== null);
      const same = sim >= sameIncidentThreshold(gaps.length ? Math.min(...gaps) : null) + 0.1;
      return { sameIncident: same, confidence: 0.7, rationale: `word overlap ${sim.toFixed(2)} with the incident's articles` };
    }
    case 'extract': {
      const pm = extractPostmortem(docs);
      return {
        title: pm.title || 'Untitled incident',
        summary: pm.summary || pm.title || 'No summary.',
        ...Object.fromEntries(
          POSTMORTEM_FIELDS.map((f) => [f, pm[f].map((fact) => ({ text: fact.text, evidence: evidence(fact.citations) }))]),
        ),
      };
    }
    case 'extract_merge': {
      const json = JSON.parse(user.slice(user.indexOf('{'), user.lastIndexOf('}') + 1)) as {
        partials: { title: string; summary: string; facts: Record<string, { id: string; text: string }[]> }[];
      };
      const first = json.partials[0];
      return {
        title: first.title,
        summary: first.summary,
        ...Object.fromEntries(
          POSTMORTEM_FIELDS.map((f) => {
            const byText = new Map<string, string[]>();
            for (const p of json.partials)
              for (const fact of p.facts[f] ?? []) byText.set(fact.text, [...(byText.get(fact.text) ?? []), fact.id]);
            return [f, [...byText].map(([text, factIds]) => ({ text, factIds }))];
          }),
        ),
      };
    }
    case 'classify': {
      const labels = new Map(classifyDocs(docs).map((l) => [l.dimension, l]));
      return Object.fromEntries(
        TAXONOMY.map((d) => {
          const l = labels.get(d.key);
          if (!l) return [d.key, null];
          // As the prompt asks: an option needs a quote, so the offline backend's evidence-free guesses become unknown.
          if (!l.citations.length)
            return [d.key, { options: ['unknown'], rationale: 'No passage supports an option.', confidence: 0.3, evidence: [] }];
          return [d.key, { options: l.options, rationale: l.rationale, confidence: l.confidence, evidence: evidence(l.citations) }];
        }),
      );
    }
    default:
      throw new Error(`fake server: no answer for format "${format}"`);
  }
}

function formatOf(body: FakeRequest['body']): string | null {
  if (body.response_format?.type === 'json_schema') return body.response_format.json_schema?.name ?? null;
  const system = body.messages.find((m) => m.role === 'system')?.content ?? '';
  return /answer format "(\w+)"/.exec(system)?.[1] ?? null;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

function send(res: ServerResponse, r: FakeReply): void {
  const text = typeof r.body === 'string' ? r.body : JSON.stringify(r.body);
  res.writeHead(r.status ?? 200, { 'content-type': 'application/json', ...r.headers });
  res.end(text);
}

/** The request as a web Request, for the endpoints that read forms (file uploads) or JSON. */
function webRequest(req: IncomingMessage, raw: Buffer): Request {
  const headers = Object.entries(req.headers).filter((h): h is [string, string] => typeof h[1] === 'string');
  return new Request(`http://127.0.0.1${req.url}`, {
    method: req.method,
    headers,
    body: req.method === 'POST' ? new Uint8Array(raw) : undefined,
  });
}

export async function startFakeOpenAI(opts: FakeOpenAIOptions = {}): Promise<FakeOpenAI> {
  const recent: number[] = [];
  const cache = new PromptCache(tokenEncoder('gpt-4o-mini'));
  const state: FakeOpenAI = {
    url: '',
    requests: [],
    throttled: 0,
    override: opts.override ?? null,
    tokens: { prompt: 0, completion: 0 },
    batches: new FakeBatches((body, batchId) => chat(body as FakeRequest['body'], batchId)),
    close: () => new Promise((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };

  /** One chat completion, sent by itself or as a line of a batch. */
  async function chat(body: FakeRequest['body'], batch: string | null): Promise<FakeReply> {
    const promptTokens = countMessages(count, body.messages);
    const firstUser = body.messages.find((m) => m.role === 'user')?.content ?? '';
    const request: FakeRequest = {
      n: state.requests.length + 1,
      body,
      format: formatOf(body),
      articleIds: parseBlocks(firstUser).map((b) => b.id),
      promptTokens,
      cachedTokens: 0,
      at: Date.now(),
      batch,
    };
    state.requests.push(request);
    if (opts.latencyMs && !batch) await new Promise((r) => setTimeout(r, opts.latencyMs));
    if (opts.jsonSchema === false && body.response_format?.type === 'json_schema') {
      return {
        status: 400,
        body: apiError(
          "Invalid parameter: 'response_format' of type 'json_schema' is not supported with this model.",
          'invalid_request_error',
          null,
          'response_format',
        ),
      };
    }
    const custom = state.override?.(request);
    if (custom && typeof custom !== 'string') return custom;
    if (!custom && !request.format)
      return { status: 400, body: apiError('fake server: cannot tell which answer format is wanted', 'invalid_request_error') };
    request.cachedTokens = cache.serve(body.messages);
    const content = custom ?? JSON.stringify(offlineAnswer(request.format!, body.messages));
    const c = completion(content, { model: body.model, promptTokens, cachedTokens: request.cachedTokens });
    state.tokens.prompt += c.usage.prompt_tokens;
    state.tokens.completion += c.usage.completion_tokens;
    return { body: c };
  }

  const server = createServer(async (req, res) => {
    try {
      const raw = await readBody(req);
      const path = (req.url ?? '').split('?')[0];
      if (req.method === 'POST' && path.endsWith('/chat/completions')) {
        const body = JSON.parse(raw.toString('utf8')) as FakeRequest['body'];
        if (opts.rpm) {
          const now = Date.now();
          while (recent.length && recent[0] <= now - 60_000) recent.shift();
          if (recent.length >= opts.rpm) {
            state.throttled++;
            const wait = recent[0] + 60_000 - now;
            send(res, {
              status: 429,
              headers: { 'retry-after-ms': String(wait), 'retry-after': String(Math.ceil(wait / 1000)) },
              body: apiError(
                `Rate limit reached for ${body.model} on requests per min (RPM): Limit ${opts.rpm}, Used ${recent.length}, Requested 1. Please try again in ${wait}ms.`,
                'requests',
                'rate_limit_exceeded',
              ),
            });
            return;
          }
          recent.push(now);
        }
        send(res, await chat(body, null));
        return;
      }
      const routed = await state.batches.route(req.method ?? 'GET', path, webRequest(req, raw));
      send(res, routed ?? { status: 404, body: apiError(`Invalid URL (${req.method} ${req.url})`, 'invalid_request_error') });
    } catch (e) {
      send(res, { status: 500, body: apiError(`fake server error: ${(e as Error).message}`, 'server_error') });
    }
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  return state;
}
