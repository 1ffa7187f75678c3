import type { Article } from '../../schemas/index.ts';
import type { Store } from '../store/store.ts';
import { afterToday } from '../text/dates.ts';
import { toArticle } from './article.ts';
import { IdAssigner } from './ids.ts';
import { type Problem, type ReadOptions, readInputs } from './read.ts';

/** An article stored under an id of its own because the name made from its file was taken. */
export interface Renamed {
  origin: string;
  id: string;
  wanted: string;
  takenBy: string;
}

/**
 * An article whose input gave a publication date that is none (stored without one), or one after today
 * (`future`: stored as given, since only the source can say what it should be).
 */
export interface Undated {
  origin: string;
  value: string;
  future?: boolean;
}

export interface IngestResult {
  read: number;
  inserted: number;
  existing: number;
  duplicates: number;
  /** Stored articles whose source (the same file) changed since it was last read. */
  updated: number;
  renamed: Renamed[];
  undated: Undated[];
  /** Files a directory walk met that hold no articles by design (gold incident records): not problems. */
  passed: Problem[];
  problems: Problem[];
}

const BATCH = 500;

/** Reads inputs into the store in batches (one transaction each) and records every problem. */
export async function ingest(
  store: Store,
  paths: string[],
  opts: ReadOptions & {
    runId?: string;
    onProblem?: (p: Problem) => void;
    onRenamed?: (r: Renamed) => void;
    onUndated?: (u: Undated) => void;
    onPassed?: (p: Problem) => void;
    /** Aborted (Ctrl-C): stop reading after the articles read so far are stored. */
    signal?: AbortSignal;
  } = {},
): Promise<IngestResult> {
  const result: IngestResult = {
    read: 0,
    inserted: 0,
    existing: 0,
    duplicates: 0,
    updated: 0,
    renamed: [],
    undated: [],
    passed: [],
    problems: [],
  };
  const ids = new IdAssigner((id) => store.articles.source(id));
  let batch: Article[] = [];
  const flush = () => {
    const r = store.articles.insert(batch);
    result.inserted += r.inserted;
    result.existing += r.existing;
    result.duplicates += r.duplicates;
    result.updated += r.updated;
    batch = [];
  };
  const report = (p: Problem) => {
    result.problems.push(p);
    store.articles.recordProblem(p.origin, p.reason, opts.runId ?? null);
    opts.onProblem?.(p);
  };
  for await (const item of readInputs(paths, opts)) {
    if (opts.signal?.aborted) break;
    if ('problem' in item) {
      report(item.problem);
      continue;
    }
    if ('passed' in item) {
      result.passed.push(item.passed);
      opts.onPassed?.(item.passed);
      continue;
    }
    result.read++;
    const article = toArticle(item.article);
    // The article is worth keeping without its date, but the user should learn that the date was not read.
    const given = item.article.published?.trim();
    const future = afterToday(article.published);
    if ((given && !article.published) || future) {
      const u = { origin: item.article.origin, value: given ?? '', ...(future ? { future } : {}) };
      result.undated.push(u);
      opts.onUndated?.(u);
    }
    const decided = ids.assign(item.article, article);
    if ('conflict' in decided) {
      report({ origin: item.article.origin, reason: decided.conflict });
      continue;
    }
    if (decided.renamedFrom) {
      const r = {
        origin: decided.article.origin,
        id: decided.article.id,
        wanted: decided.renamedFrom.id,
        takenBy: decided.renamedFrom.takenBy,
      };
      result.renamed.push(r);
      opts.onRenamed?.(r);
    }
    batch.push(decided.article);
    if (batch.length >= BATCH) flush();
  }
  if (batch.length) flush();
  return result;
}
