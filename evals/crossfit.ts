import type { Article, Incident, Postmortem, Screening } from '../schemas/index.ts';
import type { Backend, CallContext, LabelDraft, SameIncidentVerdict, Task } from '../pipeline/backends/backend.ts';
import type { LearnedSource } from '../pipeline/backends/offline/model.ts';
import { type Exclusion, folderHash, resolveRecorded } from '../pipeline/learn/data.ts';
import { corpusDirs, learnModel } from '../pipeline/learn/learn.ts';
import { TUNING } from '../pipeline/backends/offline/tuning.ts';
import { FoldCache } from './fold-cache.ts';
import { OfflineBackend } from '../pipeline/backends/offline/index.ts';
import { hashOf } from '../pipeline/text/hash.ts';
import type { GoldSet } from './gold.ts';
import { EvalInterrupted } from './interrupted.ts';

/**
 * Cross-fitting: when a model (or an example pool) learned from the gold set being scored, every item
 * is answered by a version that never saw its labels. The gold's incidents are cut into k folds;
 * fold k's incidents, their articles, and the articles in no incident assigned to fold k, are left out
 * of everything the version for fold k learns. Articles in no gold incident each count as their own.
 */
/**
 * Leave one incident out up to LOO_MAX incidents, ten folds above: each version then learns from nearly
 * the whole gold, as the model being judged did. With five folds a version of a 21-incident set learns
 * from 17, and under-reports what 21 give.
 */
export const FOLDS = 10;
const LOO_MAX = 30;

export interface CrossFitInfo {
  folds: number;
  /** Why: how many of the gold's incidents and articles the model learned from. */
  learnedIncidents: number;
  learnedArticles: number;
  sources: string[];
}

export interface Folds {
  articleFold: Map<string, number>;
  incidentFold: Map<string, number>;
  exclusions: Exclusion[];
}

/** What of this gold set a model learned from (by ids, across every source it names). */
export function learnedFrom(gold: GoldSet, sources: readonly LearnedSource[]): { incidents: number; articles: number; sources: string[] } {
  const inc = new Set(sources.flatMap((s) => s.incidents)),
    art = new Set(sources.flatMap((s) => s.articles));
  const hit = sources.filter(
    (s) => gold.incidents.some((i) => s.incidents.includes(i.id)) || gold.articles.some((a) => s.articles.includes(a.id)),
  );
  return {
    incidents: gold.incidents.filter((i) => inc.has(i.id)).length,
    articles: gold.articles.filter((a) => art.has(a.id)).length,
    sources: hit.map((s) => s.dir),
  };
}

export function goldFolds(gold: GoldSet, k = FOLDS): Folds {
  const groupOf = new Map<string, string>();
  for (const inc of gold.incidents) for (const a of inc.articleIds) groupOf.set(a, `i:${inc.id}`);
  for (const a of gold.articles) if (!groupOf.has(a.id)) groupOf.set(a.id, `a:${a.id}`);
  // Round robin over the groups in a fixed order: balanced folds, the same on every run.
  const groups = [...new Set(groupOf.values())].sort();
  const foldOfGroup = new Map(groups.map((g, i) => [g, i % k]));
  const articleFold = new Map([...groupOf].map(([a, g]) => [a, foldOfGroup.get(g)!]));
  const incidentFold = new Map(gold.incidents.map((inc) => [inc.id, foldOfGroup.get(`i:${inc.id}`)!]));
  const exclusions = Array.from({ length: k }, (_x, f) => ({
    incidents: new Set([...incidentFold].filter(([, v]) => v === f).map(([id]) => id)),
    articles: new Set([...articleFold].filter(([, v]) => v === f).map(([id]) => id)),
  }));
  return { articleFold, incidentFold, exclusions };
}

/**
 * One backend made of a version per fold: each question goes to the version that left its item out.
 * Same-incident questions are about pairs across folds, and go to the original, which learns nothing
 * about grouping from the user's labels.
 */
export class CrossFitBackend implements Backend {
  readonly name: string;
  readonly model: string;

  constructor(
    private readonly original: Backend,
    private readonly versions: readonly Backend[],
    private readonly folds: Folds,
  ) {
    this.name = original.name;
    this.model = `${original.model} cross-fitted ×${versions.length}`;
  }

  promptHash(task: Task): string {
    return hashOf([this.original.promptHash(task), this.versions.map((v) => v.promptHash(task))]);
  }

  schemaHash(task: Task): string | null {
    return this.original.schemaHash(task);
  }

  /** The version that never saw a gold incident's labels. */
  versionFor(incidentId: string): Backend {
    const f = this.folds.incidentFold.get(incidentId);
    if (f === undefined) throw new Error(`cross-fitting: incident ${incidentId} is not in the gold set, so no fold can answer for it`);
    return this.versions[f]!;
  }

  private byArticle(id: string | undefined): Backend {
    const f = id === undefined ? undefined : this.folds.articleFold.get(id);
    if (f === undefined) throw new Error(`cross-fitting: article ${id} is not in the gold set, so no fold can answer for it`);
    return this.versions[f]!;
  }

  /** A gold incident by its own fold; an incident the pipeline made, by its first article's. */
  private byIncident(incident: Incident, articles: readonly Article[]): Backend {
    const f = this.folds.incidentFold.get(incident.id);
    return f === undefined ? this.byArticle(articles[0]?.id ?? incident.articleIds[0]) : this.versions[f]!;
  }

  screen(article: Article, ctx: CallContext): Promise<Screening> {
    return this.byArticle(article.id).screen(article, ctx);
  }

  sameIncident(article: Article, incidentArticles: Article[], similarity: number, ctx: CallContext): Promise<SameIncidentVerdict> {
    return this.original.sameIncident(article, incidentArticles, similarity, ctx);
  }

  extract(incident: Incident, articles: Article[], ctx: CallContext): Promise<Postmortem> {
    return this.byIncident(incident, articles).extract(incident, articles, ctx);
  }

  classify(incident: Incident, articles: Article[], postmortem: Postmortem | null, ctx: CallContext): Promise<LabelDraft[]> {
    return this.byIncident(incident, articles).classify(incident, articles, postmortem, ctx);
  }

  async close(): Promise<void> {
    await Promise.all([this.original, ...this.versions].map((b) => b.close?.()));
  }
}

/**
 * The backend to score `gold` with: the given one when it learned nothing from this gold, else its
 * cross-fitted version. Only the offline backend learns (its model file); `off` turns this off, to
 * show what leakage would look like.
 */
export async function crossFitted(
  backend: Backend,
  gold: GoldSet,
  opts: {
    off?: boolean;
    folds?: number;
    log?: (line: string) => void;
    signal?: AbortSignal;
    /** Where the fold models are kept, so a repeated eval of the same model and gold learns nothing again. */
    cacheDir?: string;
  } = {},
): Promise<{ backend: Backend; crossFit: CrossFitInfo | null; learned: LearnedSource[] }> {
  if (!(backend instanceof OfflineBackend)) return { backend, crossFit: null, learned: [] };
  const m = backend.loaded.model;
  const sources = [...m.sources, ...(m.adaptation?.sources ?? [])];
  const seen = learnedFrom(gold, sources);
  if (opts.off || (seen.incidents === 0 && seen.articles === 0)) return { backend, crossFit: null, learned: sources };
  const n = gold.incidents.length || gold.articles.length;
  const k = Math.max(2, Math.min(opts.folds ?? (n <= LOO_MAX ? n : FOLDS), n));
  const folds = goldFolds(gold, k);
  opts.log?.(
    `the model learned from ${seen.incidents} incident(s) and ${seen.articles} article(s) of this gold set (${seen.sources.join(', ')}): cross-fitting, ${k} folds by incident`,
  );
  const base = m.sources.length ? m.sources.map((s) => resolveRecorded(s.dir)) : corpusDirs();
  const target = (m.adaptation?.sources ?? []).map((s) => resolveRecorded(s.dir));
  const cache = opts.cacheDir
    ? new FoldCache(opts.cacheDir, [backend.loaded.hash, TUNING.hash, [...base, ...target].map(folderHash)])
    : null;
  const versions: Backend[] = [];
  for (const [f, exclude] of folds.exclusions.entries()) {
    if (opts.signal?.aborted) throw new EvalInterrupted();
    const without = `without ${exclude.incidents.size} incident(s) and ${exclude.articles.size} article(s)`;
    let model = cache?.get(exclude) ?? null;
    if (model) opts.log?.(`fold ${f + 1}/${k}: ${without}, as learned by an earlier eval`);
    else {
      model = await learnModel({ base, target, from: backend.loaded, exclude });
      cache?.put(exclude, model);
      opts.log?.(`fold ${f + 1}/${k}: learned ${without}`);
    }
    versions.push(new OfflineBackend({ loaded: { file: `${backend.loaded.file}#fold${f + 1}`, model, hash: hashOf(model) } }));
  }
  cache?.prune();
  return {
    backend: new CrossFitBackend(backend, versions, folds),
    crossFit: { folds: k, learnedIncidents: seen.incidents, learnedArticles: seen.articles, sources: seen.sources },
    learned: sources,
  };
}
