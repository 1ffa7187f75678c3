import { z } from 'zod';
import { APIError } from 'openai';
import { ContentFilterFinishReasonError, LengthFinishReasonError } from 'openai/core/error';
import { zodResponseFormat } from 'openai/helpers/zod';
import type { ChatCompletion, ChatCompletionCreateParamsNonStreaming } from 'openai/resources/chat/completions';
import type { CallContext, Task } from '../backend.ts';
import { hashOf, stableJson } from '../../text/hash.ts';
import type { Limiter } from './limits.ts';
import { type RetryPolicy, withRetries } from '../../http/retry.ts';
import { retryVerdict, unavailable } from './retry.ts';
import type { Exchange, Transport } from './transport.ts';
import type { Batcher, Priced } from './batcher.ts';
import { type TokenCounter, countMessages } from './tokens.ts';
import { type TokenUsage, costOf, priceFor } from './cost.ts';
import { type OpenAISettings, isOpenAIProper } from './settings.ts';

export interface Message {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface CallSpec<T> {
  /** Schema name sent with the response format; also names the call in errors. */
  name: string;
  schema: z.ZodType<T>;
  /** The pipeline task the call serves: usage is accounted to it. */
  task: Task;
  maxTokens: number;
  /**
   * Hash of the example pool the prompt's examples were chosen from. Part of the cache key, so a
   * changed pool asks again even where it happened to choose the same examples.
   */
  examplePool?: string;
}

export type FailureKind = 'invalid_json' | 'schema' | 'refusal' | 'truncated' | 'empty';

export type Outcome<T> = { ok: true; value: T; content: string } | { ok: false; kind: FailureKind; error: string; content: string | null };

/** json_schema is not supported by this server: the 400 says so in its message. */
const UNSUPPORTED_FORMAT = /response_format|json_schema|structured output|guided|grammar/i;

export function describeZodError(e: z.ZodError): string {
  return e.issues
    .slice(0, 12)
    .map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`)
    .join('; ');
}

/** Validates an answer the way the client's parse does, for cached answers and json_object mode. */
export function validate<T>(content: string, schema: z.ZodType<T>): Outcome<T> {
  // Local models in json_object mode sometimes wrap the object in a code fence.
  const text = content.trim().replace(/^```(?:json)?\s*\n([\s\S]*)\n```$/, '$1');
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return { ok: false, kind: 'invalid_json', error: (e as Error).message, content };
  }
  const r = schema.safeParse(raw);
  return r.success ? { ok: true, value: r.data, content } : { ok: false, kind: 'schema', error: describeZodError(r.error), content };
}

export interface ChatCounters {
  sent: number;
  cached: number;
}

/**
 * One model call: the response cache, then the rate limiter and retries around the transport, then
 * the answer checked against its schema. Usage (tokens and cost) is recorded for every call, cached
 * or not, against the run and the call's subject. Only valid answers are cached: an error, a refusal
 * or a malformed answer is asked again next time.
 */
export class ChatModel {
  structured: boolean;
  readonly counters: ChatCounters = { sent: 0, cached: 0 };
  /** Batch mode: calls wait for a batch round instead of going out one by one. */
  batcher: Batcher | null = null;
  private readonly price;

  constructor(
    private readonly s: OpenAISettings,
    private readonly transport: Transport,
    private readonly limiter: Limiter,
    private readonly retry: RetryPolicy,
    private readonly count: TokenCounter,
  ) {
    this.structured = s.structuredOutputs;
    this.price = priceFor(s.model, s.prices);
  }

  /** The JSON Schema a task's answers are held to: part of its provenance. */
  jsonSchemaOf(spec: Pick<CallSpec<unknown>, 'name' | 'schema'>): unknown {
    return this.formatOf(spec).json_schema.schema;
  }

  /** Converting a zod schema to JSON Schema is not free; each schema is converted once. */
  private readonly formats = new Map<string, ReturnType<typeof zodResponseFormat>>();
  private formatOf<T>(spec: Pick<CallSpec<T>, 'name' | 'schema'>) {
    let f = this.formats.get(spec.name);
    if (!f) {
      f = zodResponseFormat(spec.schema, spec.name);
      this.formats.set(spec.name, f);
    }
    return f;
  }

  async complete<T>(messages: readonly Message[], spec: CallSpec<T>, ctx: CallContext): Promise<Outcome<T>> {
    for (;;) {
      const structured = this.structured;
      const { body, key } = this.request(messages, spec, structured);
      // Every call is recorded against its run, stage and subject, whether the cache or the server answered.
      const record = (rest: Omit<Parameters<typeof ctx.usage.recordUsage>[0], 'runId' | 'callHash' | 'stage' | 'subject' | 'model'>) =>
        ctx.usage.recordUsage({ runId: ctx.runId, callHash: key, stage: spec.task, subject: ctx.subject, model: this.s.model, ...rest });
      if (this.s.cache) {
        const hit = ctx.cache.get(key);
        const out = hit && validate(hit.response, spec.schema);
        if (out?.ok) {
          this.counters.cached++;
          record({
            fromCache: true,
            promptTokens: 0,
            completionTokens: 0,
            cachedTokens: 0,
            cost: 0,
          });
          return out;
        }
      }
      let exchange: Priced;
      try {
        exchange = await this.send(body, key, spec.task, ctx);
      } catch (e) {
        if (structured && e instanceof APIError && (e.status === 400 || e.status === 422) && UNSUPPORTED_FORMAT.test(e.message)) {
          // A server without json_schema: from now on ask for json_object and validate here.
          this.structured = false;
          continue;
        }
        throw unavailable(e, this.s) ?? e;
      }
      const { completion, parsed, parseError, priceFactor } = exchange;
      const usage = usageOf(completion, () => countMessages(this.count, messages), this.count);
      record({
        fromCache: false,
        ...usage,
        cost: costOf(usage, this.price) * priceFactor,
      });
      const out = interpret(completion, parsed?.choices[0]?.message.parsed, parseError, spec.schema, structured);
      if (out.ok) ctx.cache.put({ hash: key, model: this.s.model, request: stableJson(body), response: out.content, ...usage });
      return out;
    }
  }

  private request<T>(messages: readonly Message[], spec: CallSpec<T>, structured: boolean) {
    const format = this.formatOf(spec);
    const sent: Message[] = structured ? [...messages] : withSchemaHint(messages, spec.name, format.json_schema.schema);
    const params: Record<string, unknown> = {
      temperature: this.s.temperature,
      [isOpenAIProper(this.s) ? 'max_completion_tokens' : 'max_tokens']: spec.maxTokens,
    };
    const body = {
      model: this.s.model,
      messages: sent,
      response_format: structured ? format : { type: 'json_object' as const },
      ...params,
    } as ChatCompletionCreateParamsNonStreaming;
    const key = hashOf({
      model: this.s.model,
      messages: sent,
      format: structured ? { name: spec.name, schema: format.json_schema.schema } : 'json_object',
      params,
      examplePool: spec.examplePool,
    });
    return { body, key };
  }

  private async send(body: ChatCompletionCreateParamsNonStreaming, key: string, task: Task, ctx: CallContext): Promise<Priced> {
    if (this.batcher?.takes(task)) return this.batcher.send(key, body, task, ctx);
    return { ...(await this.sendNow(body)), priceFactor: 1 };
  }

  /** One request now, paced by the rate limiter and retried on transient errors. */
  sendNow(body: ChatCompletionCreateParamsNonStreaming): Promise<Exchange> {
    const estimate = countMessages(this.count, body.messages as Message[]) + (body.max_completion_tokens ?? body.max_tokens ?? 0);
    return withRetries(
      () =>
        this.limiter.run(estimate, async (settle) => {
          this.counters.sent++;
          const ex = await this.transport.send(body);
          const u = ex.completion.usage;
          if (u) settle(u.prompt_tokens + u.completion_tokens);
          return ex;
        }),
      (e) => retryVerdict(e, this.retry.now?.() ?? Date.now()),
      this.retry,
    );
  }
}

/** json_object mode carries no schema, so the system message states it. */
function withSchemaHint(messages: readonly Message[], name: string, schema: unknown): Message[] {
  const hint = `\n\nReply with one JSON object, the answer format "${name}", that matches this JSON Schema exactly (no prose, no code fence):\n${JSON.stringify(schema)}`;
  return messages.map((m, i) => (i === 0 && m.role === 'system' ? { ...m, content: m.content + hint } : m));
}

/** Tokens as the server reports them; a server that reports none is counted with the tokenizer. */
function usageOf(c: ChatCompletion, promptCount: () => number, count: TokenCounter): TokenUsage {
  if (c.usage)
    return {
      promptTokens: c.usage.prompt_tokens ?? 0,
      completionTokens: c.usage.completion_tokens ?? 0,
      cachedTokens: c.usage.prompt_tokens_details?.cached_tokens ?? 0,
    };
  return { promptTokens: promptCount(), completionTokens: count(c.choices[0]?.message?.content ?? ''), cachedTokens: 0 };
}

function interpret<T>(c: ChatCompletion, parsed: unknown, parseError: unknown, schema: z.ZodType<T>, structured: boolean): Outcome<T> {
  const choice = c.choices[0];
  const content = choice?.message?.content ?? null;
  if (!choice) return { ok: false, kind: 'empty', error: 'the response had no choices', content: null };
  if (parseError instanceof LengthFinishReasonError || choice.finish_reason === 'length') {
    return { ok: false, kind: 'truncated', error: 'the answer was cut off at the output token limit (finish_reason "length")', content };
  }
  if (choice.message.refusal) return { ok: false, kind: 'refusal', error: choice.message.refusal, content: choice.message.refusal };
  if (parseError instanceof ContentFilterFinishReasonError || choice.finish_reason === 'content_filter') {
    return { ok: false, kind: 'refusal', error: 'the answer was stopped by the content filter', content };
  }
  if (!content?.trim()) return { ok: false, kind: 'empty', error: 'the answer was empty', content: null };
  if (parseError instanceof z.ZodError) return { ok: false, kind: 'schema', error: describeZodError(parseError), content };
  if (parseError)
    return { ok: false, kind: 'invalid_json', error: parseError instanceof Error ? parseError.message : String(parseError), content };
  if (structured && parsed !== null && parsed !== undefined) return { ok: true, value: parsed as T, content };
  return validate(content, schema);
}
