import type { Article, Incident, Postmortem, Screening } from '../../../schemas/index.ts';
import type { Backend, CallContext, LabelDraft, SameIncidentVerdict, Task } from '../backend.ts';
import { type ExamplePool, examplePool } from '../../examples/pool.ts';
import { BatchApi } from './batch-api.ts';
import { Batcher } from './batcher.ts';
import { ChatModel } from './chat.ts';
import { classifyIncident } from './classify.ts';
import { Engine } from './engine.ts';
import { extractIncident } from './extract.ts';
import { type Clock, Limiter, realClock } from './limits.ts';
import { decideSameIncident } from './same-incident.ts';
import { Prefilter } from './prefilter.ts';
import { TEMPLATE_NAMES, ownTemplates } from './prompts.ts';
import { OPENAI_BACKOFF } from './retry.ts';
import { screenArticle } from './screen.ts';
import type { OpenAISettings } from './settings.ts';
import { tokenCounter } from './tokens.ts';
import { Transport } from './transport.ts';

export { resolveSettings, type OpenAISettings } from './settings.ts';

export interface OpenAIBackendDeps {
  /** Replaces the HTTP fetch (tests); every request still goes through openai-node. */
  fetch?: typeof fetch;
  /** Time for the rate limiter and retry waits (tests run it virtually). */
  clock?: Clock;
  random?: () => number;
  /** The example pool `settings.examples` asks for, already loaded (an eval passes one with its held-out incidents removed). */
  examples?: ExamplePool;
  /** Where batch mode says what it does (submitted, resumed, expired). */
  log?: (line: string) => void;
}

/**
 * The model backend: OpenAI or any OpenAI-compatible server. Each task is one schema-constrained
 * call (or a few, for inputs over the token budget) whose quotes are placed in the articles before
 * anything is returned; see pipeline/backends/openai/*.ts for the parts.
 */
export class OpenAIBackend implements Backend {
  readonly name = 'openai';
  readonly model: string;
  readonly chat: ChatModel;
  /** Jobs a stage keeps going: enough for `concurrency` requests in flight, or in batch mode for a whole round. */
  readonly jobWindow: number;
  private readonly engine: Engine;
  private readonly transport: Transport;

  /** The backend with the example pool its settings name, read from disk unless `deps.examples` brings one. */
  static async open(settings: OpenAISettings, deps: OpenAIBackendDeps = {}): Promise<OpenAIBackend> {
    const examples = deps.examples ?? (settings.examples ? await examplePool(settings.examples.dirs) : undefined);
    return new OpenAIBackend(settings, { ...deps, examples });
  }

  constructor(
    readonly settings: OpenAISettings,
    deps: OpenAIBackendDeps = {},
  ) {
    this.model = settings.model;
    const own = ownTemplates(settings.promptsDir);
    if (own.length)
      deps.log?.(
        `prompts: ${own.join(', ')} from ${settings.promptsDir}${own.filter((n) => !n.startsWith('_')).length < TEMPLATE_NAMES.length ? '; the others bundled' : ''}`,
      );
    const clock = deps.clock ?? realClock;
    this.transport = new Transport({
      apiKey: settings.apiKey,
      baseURL: settings.baseURL,
      timeoutMs: settings.timeoutMs,
      fetch: deps.fetch,
    });
    const limiter = new Limiter({ concurrency: settings.concurrency, rpm: settings.rpm, tpm: settings.tpm }, clock);
    const count = tokenCounter(settings.model);
    const retry = {
      ...OPENAI_BACKOFF,
      retries: settings.maxRetries,
      sleep: clock.sleep,
      now: clock.now,
      random: deps.random ?? Math.random,
    };
    this.chat = new ChatModel(settings, this.transport, limiter, retry, count);
    if (settings.batchMode) {
      this.chat.batcher = new Batcher({
        settings: settings.batch,
        model: settings.model,
        maxRetries: settings.maxRetries,
        clock,
        log: deps.log,
        api: new BatchApi(() => this.transport.api, retry),
        sendNow: (body) => this.chat.sendNow(body),
      });
    }
    this.jobWindow = settings.batchMode ? settings.batch.jobWindow : settings.concurrency;
    const prefilter = settings.prefilter ? new Prefilter(settings.prefilter, settings.offlineModelFile) : null;
    this.engine = new Engine(this.chat, settings, count, deps.examples ?? null, prefilter);
  }

  /** What reading the example pool left out (bad lines, replaced incidents), to be reported. */
  get problems(): ExamplePool['problems'] {
    return this.engine.examples?.pool.problems ?? [];
  }

  /** HTTP requests sent so far, retries included. */
  get requests(): number {
    return this.transport.requests;
  }

  promptHash(task: Task): string {
    return this.engine.promptHash(task);
  }

  schemaHash(task: Task): string {
    return this.engine.schemaHash(task);
  }

  screen(article: Article, ctx: CallContext): Promise<Screening> {
    return screenArticle(this.engine, article, ctx);
  }

  sameIncident(article: Article, incidentArticles: Article[], similarity: number, ctx: CallContext): Promise<SameIncidentVerdict> {
    return decideSameIncident(this.engine, article, incidentArticles, similarity, ctx);
  }

  extract(incident: Incident, articles: Article[], ctx: CallContext): Promise<Postmortem> {
    return extractIncident(this.engine, incident, articles, ctx);
  }

  classify(incident: Incident, articles: Article[], postmortem: Postmortem | null, ctx: CallContext): Promise<LabelDraft[]> {
    return classifyIncident(this.engine, incident, articles, postmortem, ctx);
  }
}
