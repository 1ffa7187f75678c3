import { APIError } from 'openai';
import type { ChatCompletion, ChatCompletionCreateParamsNonStreaming } from 'openai/resources/chat/completions';
import { type BatchConfig, type BatchItem, type BatchRecord, FINISHED_BATCH } from '../../../schemas/index.ts';
import type { BatchLedger, CallContext, Task } from '../backend.ts';
import { isRetryableStatus } from '../../http/retry.ts';
import { hashOf } from '../../text/hash.ts';
import { type BatchApi, updateOf } from './batch-api.ts';
import { inputLine, readResults } from './batch-lines.ts';
import type { Clock } from './limits.ts';
import { GarbledResponseError } from './retry.ts';
import type { Exchange } from './transport.ts';

/** An answer and the share of the synchronous price it costs. */
export interface Priced extends Exchange {
  priceFactor: number;
}

type Body = ChatCompletionCreateParamsNonStreaming;

interface Waiting {
  key: string;
  body: Body;
  task: Task;
  runId: string | null;
  /** Batches this request went through in this process without an answer. */
  tries: number;
  waiters: { resolve: (x: Priced) => void; reject: (e: unknown) => void }[];
}

export interface BatcherOptions {
  settings: BatchConfig;
  model: string;
  /** Batches a request may go through without an answer (expired, server errors) before its call fails. */
  maxRetries: number;
  clock: Clock;
  api: BatchApi;
  /** The synchronous path, for rounds too small to batch. */
  sendNow: (body: Body) => Promise<Exchange>;
  log?: (line: string) => void;
}

/** Grouping decides one article at a time, in order: a round per decision that waited hours would stall the run. */
const SYNC_TASKS: readonly Task[] = ['group'];
/** The provider's error codes (no HTTP status) that mean "ask again", not "this request is wrong". */
const RETRYABLE_CODES = ['batch_expired', 'server_error', 'rate_limit_exceeded'];
const POLL_GROWTH = 1.5;

/** A request the provider answered with an error of its own rather than an HTTP status. */
export class BatchRequestError extends Error {
  constructor(
    readonly code: string | null,
    message: string,
  ) {
    super(message);
    this.name = 'BatchRequestError';
  }
}

/**
 * Batch mode. Calls do not go out one by one: each waits here, and once every job that can has asked
 * (a whole turn of the event loop passes with no new request), the waiting requests are written as
 * JSONL, uploaded and submitted as batches, polled with backoff, and each answer handed back to its
 * call, which then validates it, checks its quotes and re-asks exactly as a synchronous answer. The
 * re-asks wait for the next round, which goes synchronously when it is small.
 *
 * The ledger (the store) knows every request of every batch by its cache key, recorded with the input
 * file before the batch is created: a run killed at any point asks the same questions again when it
 * resumes, finds them submitted (or answered) and waits for those batches instead of paying twice.
 */
export class Batcher {
  private pending = new Map<string, Waiting>();
  private ledger: BatchLedger | null = null;
  private submissions = 0;
  private scheduled = false;
  private running = false;

  constructor(private readonly o: BatcherOptions) {}

  takes(task: Task): boolean {
    return !SYNC_TASKS.includes(task);
  }

  send(key: string, body: Body, task: Task, ctx: CallContext): Promise<Priced> {
    if (!ctx.batches) throw new Error("batch mode needs the store's batch ledger in the call context");
    this.ledger ??= ctx.batches;
    return new Promise((resolve, reject) => {
      const w = this.pending.get(key);
      // The same request twice in one round (identical prompts) is one line: custom ids must be unique in a file.
      if (w) w.waiters.push({ resolve, reject });
      else this.pending.set(key, { key, body, task, runId: ctx.runId, tries: 0, waiters: [{ resolve, reject }] });
      this.submissions++;
      this.schedule();
    });
  }

  /**
   * A round starts when a whole turn of the event loop passed with no new request: every job that could
   * run has run up to its next call, and waits. Not a timer: the order of the event loop decides.
   */
  private schedule(): void {
    if (this.scheduled || this.running) return;
    this.scheduled = true;
    const check = (seen: number) => {
      if (this.submissions !== seen) {
        setImmediate(check, this.submissions);
        return;
      }
      this.scheduled = false;
      if (this.pending.size) void this.round();
    };
    setImmediate(check, this.submissions);
  }

  private async round(): Promise<void> {
    this.running = true;
    const round = [...this.pending.values()];
    this.pending.clear();
    try {
      await this.dispatch(round);
    } catch (e) {
      // Upload or polling failed past its retries: the round's calls fail with the reason, and the next run tries again.
      for (const w of round) this.fail(w, e);
    } finally {
      this.running = false;
      this.schedule();
    }
  }

  private async dispatch(round: Waiting[]): Promise<void> {
    const ledger = this.ledger!;
    const known = ledger.lookup(round.map((w) => w.key));
    const waits = new Map<number, Waiting[]>();
    const fresh: Waiting[] = [];
    for (const w of round) {
      const item = known.get(w.key);
      if (!item || item.state === 'lost') fresh.push(w);
      else if (item.state === 'submitted') push(waits, item.batch, w);
      else this.deliver(w, item, ledger.batch(item.batch));
    }
    const resumed = [...waits.values()].reduce((n, ws) => n + ws.length, 0);
    if (resumed) this.o.log?.(`batch: ${resumed} request(s) already submitted in ${waits.size} batch(es); waiting for those`);
    const batchable = fresh.filter((w) => this.takes(w.task));
    const big = batchable.length >= this.o.settings.syncBelow;
    const sync = fresh.filter((w) => !big || !this.takes(w.task));
    for (const chunk of big ? this.chunks(batchable) : []) waits.set(await this.submit(chunk), chunk);
    await Promise.all([
      ...sync.map((w) => this.sendNow(w)),
      ...[...waits].map(async ([id, ws]) => {
        const batch = await this.finish(id);
        const items = new Map(ledger.items(id).map((i) => [i.customId, i]));
        for (const w of ws)
          this.deliver(w, items.get(w.key) ?? { batch: id, customId: w.key, state: 'lost', statusCode: null, body: null }, batch);
      }),
    ]);
  }

  private async sendNow(w: Waiting): Promise<void> {
    try {
      const ex = await this.o.sendNow(w.body);
      for (const x of w.waiters) x.resolve({ ...ex, priceFactor: 1 });
    } catch (e) {
      this.fail(w, e);
    }
  }

  /** Requests of one task, in files of at most maxRequests lines and maxBytes. */
  private chunks(ws: Waiting[]): Waiting[][] {
    const out: Waiting[][] = [];
    const byTask = new Map<Task, Waiting[]>();
    for (const w of ws) push(byTask, w.task, w);
    for (const group of byTask.values()) {
      let cur: Waiting[] = [],
        bytes = 0;
      for (const w of group) {
        const size = Buffer.byteLength(inputLine(w.key, w.body)) + 1;
        if (cur.length && (cur.length >= this.o.settings.maxRequests || bytes + size > this.o.settings.maxBytes)) {
          out.push(cur);
          cur = [];
          bytes = 0;
        }
        cur.push(w);
        bytes += size;
      }
      if (cur.length) out.push(cur);
    }
    return out;
  }

  /** Uploads a file of requests, records it and its requests, then creates its batch: a kill in between leaves the file findable. */
  private async submit(ws: Waiting[]): Promise<number> {
    const jsonl = `${ws.map((w) => inputLine(w.key, w.body)).join('\n')}\n`;
    const task = ws[0].task,
      runId = ws[0].runId;
    const fileId = await this.o.api.upload(`failscope-${task}-${hashOf(ws.map((w) => w.key))}.jsonl`, jsonl);
    const rec = this.ledger!.recordUpload({
      inputFileId: fileId,
      stage: task,
      model: this.o.model,
      runId,
      customIds: ws.map((w) => w.key),
    });
    const batch = await this.o.api.create(fileId, this.metadata(rec));
    this.ledger!.recordStatus(rec.id, updateOf(batch));
    this.o.log?.(`batch: submitted ${batch.id} with ${ws.length} ${task} request(s)`);
    return rec.id;
  }

  private metadata(rec: BatchRecord): Record<string, string> {
    return { failscope_stage: rec.stage, ...(rec.runId ? { failscope_run: rec.runId } : {}) };
  }

  /** Polls a batch with growing waits until it finishes, then reads its files into the ledger. */
  private async finish(id: number): Promise<BatchRecord> {
    const ledger = this.ledger!;
    let rec = ledger.batch(id);
    if (!rec.providerId) {
      // Uploaded, then killed before the batch's id was recorded: the provider may have it, else create it now.
      const found =
        (await this.o.api.fromInputFile(rec.inputFileId, Date.parse(rec.createdAt))) ??
        (await this.o.api.create(rec.inputFileId, this.metadata(rec)));
      rec = ledger.recordStatus(id, updateOf(found));
    }
    let wait = this.o.settings.pollMs;
    while (!rec.collected) {
      if (!FINISHED_BATCH.includes(rec.status)) {
        rec = ledger.recordStatus(id, updateOf(await this.o.api.retrieve(rec.providerId!)));
      }
      if (FINISHED_BATCH.includes(rec.status)) {
        await this.collect(rec);
        return ledger.batch(id);
      }
      await this.o.clock.sleep(wait);
      wait = Math.min(this.o.settings.pollMaxMs, wait * POLL_GROWTH);
    }
    return rec;
  }

  private async collect(rec: BatchRecord): Promise<void> {
    const results = [];
    for (const file of [rec.outputFileId, rec.errorFileId]) {
      if (!file) continue;
      const read = readResults(await this.o.api.content(file), `batch ${rec.providerId} file ${file}`);
      for (const p of read.problems) this.o.log?.(`batch: ${p} (its request will be asked again)`);
      results.push(...read.results);
    }
    this.ledger!.recordResults(rec.id, results);
    if (rec.status !== 'completed')
      this.o.log?.(
        `batch: ${rec.providerId} ended ${rec.status}${rec.error ? ` (${rec.error})` : ''}; ${results.length} of ${rec.requests} request(s) have a line`,
      );
  }

  /** Hands a batch's line to the calls waiting for it; asks again, in the next round, what may still be answered. */
  private deliver(w: Waiting, item: BatchItem, batch: BatchRecord): void {
    const where = `batch ${batch.providerId ?? batch.inputFileId}`;
    if (item.state === 'lost') {
      const why = new BatchRequestError(
        null,
        `${where} ended ${batch.status} without answering this request${batch.error ? `: ${batch.error}` : ''}`,
      );
      // An expired batch ran out of time; a failed or cancelled one was refused or stopped, so its calls fail (the next run asks again).
      if (batch.status === 'expired') this.again(w, why);
      else this.fail(w, why);
      return;
    }
    this.ledger!.deliver(item.batch, item.customId);
    if (item.state === 'answered') {
      let completion: ChatCompletion | null = null;
      try {
        completion = JSON.parse(item.body ?? '') as ChatCompletion;
      } catch {
        /* garbled: asked again below */
      }
      if (!completion || !Array.isArray(completion.choices)) {
        this.again(w, new GarbledResponseError(`${where}: the line for this request is not a chat completion`));
        return;
      }
      for (const x of w.waiters) x.resolve({ completion, parsed: null, parseError: null, priceFactor: this.o.settings.priceFactor });
      return;
    }
    const e = errorOf(item, where);
    const retryable =
      e instanceof APIError ? isRetryableStatus(e.status ?? 0) : RETRYABLE_CODES.includes((e as BatchRequestError).code ?? '');
    if (retryable) this.again(w, e);
    else this.fail(w, e);
  }

  private again(w: Waiting, why: unknown): void {
    if (++w.tries > this.o.maxRetries) {
      this.fail(w, why);
      return;
    }
    const other = this.pending.get(w.key);
    if (other) other.waiters.push(...w.waiters);
    else this.pending.set(w.key, w);
    this.schedule();
  }

  private fail(w: Waiting, e: unknown): void {
    for (const x of w.waiters) x.reject(e);
  }
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}

/** A line's error as the synchronous path would have raised it: an APIError with its status (a 400 names response_format), or the provider's code. */
function errorOf(item: BatchItem, where: string): Error {
  let body: { error?: { code?: string | null; message?: string | null } | null } = {};
  try {
    body = JSON.parse(item.body ?? '{}') as typeof body;
  } catch {
    /* the status alone says enough */
  }
  const message = `${where}: ${body.error?.message ?? 'no message'}`;
  if (item.statusCode) return APIError.generate(item.statusCode, body.error ?? undefined, message, new Headers());
  return new BatchRequestError(body.error?.code ?? null, `${message}${body.error?.code ? ` (${body.error.code})` : ''}`);
}
