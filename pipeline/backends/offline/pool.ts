import { Worker } from 'node:worker_threads';
import type { Article } from '../../../schemas/index.ts';
import type { OfflineModel } from './model.ts';
import type { Answers, OfflineTask } from './work.ts';
import type { WorkReply, WorkRequest } from './worker.ts';

interface Pending {
  resolve(value: unknown): void;
  reject(e: Error): void;
}

interface Thread {
  worker: Worker | null;
  /** Whether its modules are loaded: until one is, the main thread does the work itself. */
  ready: boolean;
  /** Died before it was ready (its heap bound too small to load the model): not started again. */
  broken: boolean;
  pending: Map<number, Pending>;
}

const ENTRY = new URL('./worker-thread.js', import.meta.url);

/** A thread died (out of its heap, or killed) before answering: the job itself did not fail. */
export class ThreadLost extends Error {}
/** Requests a thread holds at most: some waiting, so it never idles while the main thread writes. */
export const DEPTH = 4;

/**
 * Threads that do the offline backend's CPU work (work.ts), so a stage's independent jobs use every core
 * while the main thread keeps the store. `dispatch` sends a job to a thread, preferably the one that
 * screened the job's first article (its sentences are in that thread's cache), or returns null when the
 * main thread should do it itself: the run's first few jobs, no thread ready yet (loading one takes about
 * a second), or all full. Threads hold the process open only while they have work. A thread that dies
 * (a job too large for its heap) rejects the requests it held with ThreadLost, and the next request starts
 * a new one, unless it died before it was ready.
 */
export class WorkerPool {
  private readonly threads: Thread[];
  /** Where each article was screened, so its later jobs go where its sentences are split already. */
  private readonly home = new Map<string, Thread | null>();
  private nextId = 0;
  private asked = 0;
  /** Jobs sent to threads, and threads started, so far. */
  sent = 0;
  starts = 0;

  constructor(
    size: number,
    private readonly model: OfflineModel,
    /** Each thread's old-generation heap: a bound makes it collect its garbage instead of growing with the corpus. */
    private readonly heapMb: number,
    /**
     * Jobs the main thread does before threads are started (offline.workersAfterJobs): a small run is done
     * before a thread could pay back its start (about a second) and memory (about 100 MB).
     */
    private readonly startAfter: number,
  ) {
    this.threads = Array.from({ length: size }, () => ({ worker: null, ready: false, broken: false, pending: new Map() }));
  }

  dispatch<T extends OfflineTask>(task: T, articles: Article[]): Promise<Answers[T]> | null {
    if (this.asked++ < this.startAfter) return null;
    for (const t of this.threads) this.started(t);
    const affinity = articles[0]?.id ?? '';
    const free = this.threads.filter((t) => t.ready && t.pending.size < DEPTH);
    const home = this.home.get(affinity);
    const least = free.reduce<Thread | null>((a, b) => (!a || b.pending.size < a.pending.size ? b : a), null);
    const thread = home && free.includes(home) ? home : least;
    if (task === 'screen') this.home.set(affinity, thread);
    return thread && this.send(thread, task, articles);
  }

  private send<T extends OfflineTask>(thread: Thread, task: T, articles: Article[]): Promise<Answers[T]> {
    const worker = this.started(thread)!;
    const id = this.nextId++;
    this.sent++;
    const request: WorkRequest = { id, task, articles };
    return new Promise<Answers[T]>((resolve, reject) => {
      thread.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      if (thread.pending.size === 1) worker.ref();
      worker.postMessage(request);
    });
  }

  private started(thread: Thread): Worker | null {
    if (thread.worker || thread.broken) return thread.worker;
    this.starts++;
    const worker = new Worker(ENTRY, { workerData: { model: this.model }, resourceLimits: { maxOldGenerationSizeMb: this.heapMb } });
    worker.unref();
    worker.on('message', (reply: WorkReply | 'ready') => {
      if (reply === 'ready') {
        thread.ready = true;
        return;
      }
      const p = thread.pending.get(reply.id);
      if (!p) return;
      thread.pending.delete(reply.id);
      if (!thread.pending.size) worker.unref();
      if (reply.error !== undefined) p.reject(new Error(reply.error));
      else p.resolve(reply.value);
    });
    const lost = (why: string) => {
      if (thread.worker !== worker) return;
      thread.worker = null;
      thread.broken ||= !thread.ready;
      thread.ready = false;
      this.failAll(thread, new ThreadLost(`offline worker thread ${why}`));
    };
    worker.on('error', (e) => lost(`failed: ${e.message}`));
    worker.on('exit', (code) => lost(`exited with code ${code}`));
    thread.worker = worker;
    return worker;
  }

  private failAll(thread: Thread, why: Error): void {
    const held = [...thread.pending.values()];
    thread.pending.clear();
    for (const p of held) p.reject(why);
  }

  async close(): Promise<void> {
    const workers = this.threads.flatMap((t) => (t.worker ? [t.worker] : []));
    for (const t of this.threads) {
      t.worker = null;
      t.ready = false;
      this.failAll(t, new Error('offline worker threads closed'));
    }
    this.home.clear();
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
