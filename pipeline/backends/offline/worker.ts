import { parentPort, workerData } from 'node:worker_threads';
import type { Article } from '../../../schemas/index.ts';
import type { OfflineModel } from './model.ts';
import { doWork, type OfflineTask } from './work.ts';

/** One request to a worker thread, answered with `{ id, value }` or `{ id, error }`. */
export interface WorkRequest {
  id: number;
  task: OfflineTask;
  articles: Article[];
}
export type WorkReply = { id: number; value: unknown; error?: undefined } | { id: number; error: string };

const model = (workerData as { model: OfflineModel }).model;

parentPort!.on('message', (req: WorkRequest) => {
  let reply: WorkReply;
  try {
    reply = { id: req.id, value: doWork(req.task, req.articles, model) };
  } catch (e) {
    reply = { id: req.id, error: e instanceof Error ? e.message : String(e) };
  }
  parentPort!.postMessage(reply);
});
parentPort!.postMessage('ready');
