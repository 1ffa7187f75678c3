import type { Article } from '../../schemas/index.ts';
import type { Store } from '../store/store.ts';
import { toArticle } from './article.ts';
import { type Problem, type ReadOptions, readInputs } from './read.ts';

export interface IngestResult {
  read: number;
  inserted: number;
  existing: number;
  duplicates: number;
  /** Stored articles whose text changed since they were last read. */
  updated: number;
  problems: Problem[];
}

const BATCH = 500;

/** Reads inputs into the store in batches (one transaction each) and records every problem. */
export async function ingest(store: Store, paths: string[], opts: ReadOptions & { runId?: string; onProblem?: (p: Problem) => void } = {}): Promise<IngestResult> {
  const result: IngestResult = { read: 0, inserted: 0, existing: 0, duplicates: 0, updated: 0, problems: [] };
  let batch: Article[] = [];
  const flush = () => {
    const r = store.articles.insert(batch);
    result.inserted += r.inserted; result.existing += r.existing; result.duplicates += r.duplicates; result.updated += r.updated;
    batch = [];
  };
  for await (const item of readInputs(paths, opts)) {
    if ('problem' in item) {
      result.problems.push(item.problem);
      store.articles.recordProblem(item.problem.origin, item.problem.reason, opts.runId ?? null);
      opts.onProblem?.(item.problem);
      continue;
    }
    result.read++;
    batch.push(toArticle(item.article));
    if (batch.length >= BATCH) flush();
  }
  if (batch.length) flush();
  return result;
}
