import { readFileSync, existsSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import type { GoldArticle, GoldIncident } from '../../schemas/index.ts';
import { loadGold } from '../../evals/gold.ts';
import { toArticle } from '../ingest/article.ts';
import { type ArticleDoc, readArticle } from '../backends/offline/evidence.ts';
import type { LearnedSource } from '../backends/offline/model.ts';
import { sha256 } from '../text/hash.ts';

/**
 * Labelled folders as the learner reads them: benchmark-format gold (`articles.jsonl`, optionally
 * `incidents.jsonl`), from the project's corpus, the shared benchmarks, or a `review export`. Article
 * texts are read where they lie, at learn time; only numbers and ids go into a model.
 */
export interface LabelledArticle {
  gold: GoldArticle;
  doc: ArticleDoc;
}
export interface LabelledIncident {
  gold: GoldIncident;
  docs: ArticleDoc[];
}
export interface Labelled {
  sources: LearnedSource[];
  articles: LabelledArticle[];
  incidents: LabelledIncident[];
}

/** What a cross-fitting fold leaves out: incidents, and articles (an incident's own articles included). */
export interface Exclusion {
  incidents: ReadonlySet<string>;
  articles: ReadonlySet<string>;
}

const ROOT = resolve(import.meta.dirname, '..', '..');
/** Folders inside the repository are recorded relative to it, so a model file means the same on any clone. */
export const recordedDir = (dir: string) => {
  const rel = relative(ROOT, resolve(dir));
  return rel.startsWith('..') && !rel.startsWith('../shared') ? resolve(dir) : rel;
};
export const resolveRecorded = (dir: string) => resolve(ROOT, dir);

/** Of a labelled folder's two files: what a model learned from it, by content. */
export function folderHash(dir: string): string {
  const files = ['articles.jsonl', 'incidents.jsonl'].map((f) => join(dir, f)).filter(existsSync);
  return sha256(files.map((f) => readFileSync(f)).reduce((acc, b) => acc + sha256(b), '')).slice(0, 16);
}

export async function loadLabelled(
  dirs: readonly string[],
  exclude?: Exclusion,
  onProblem?: (origin: string, reason: string) => void,
): Promise<Labelled> {
  const out: Labelled = { sources: [], articles: [], incidents: [] };
  for (const dir of dirs) {
    const set = await loadGold(dir);
    for (const p of set.problems) onProblem?.(p.origin, p.reason);
    out.sources.push({
      dir: recordedDir(dir),
      hash: folderHash(set.dir),
      incidents: set.incidents.map((i) => i.id),
      articles: set.articles.map((a) => a.id),
    });
    // A left-out incident takes its articles with it: no item may see its incident's articles either.
    const dropped = new Set(exclude?.articles ?? []);
    for (const inc of set.incidents) if (exclude?.incidents.has(inc.id)) for (const a of inc.articleIds) dropped.add(a);
    const docs = new Map<string, ArticleDoc>();
    for (const g of set.articles) {
      if (dropped.has(g.id)) continue;
      const doc = readArticle(toArticle({ ...g, origin: `learn:${set.name}` }));
      docs.set(g.id, doc);
      out.articles.push({ gold: g, doc });
    }
    for (const inc of set.incidents) {
      if (exclude?.incidents.has(inc.id)) continue;
      const ds = inc.articleIds.map((id) => docs.get(id)).filter((d): d is ArticleDoc => !!d);
      if (ds.length) out.incidents.push({ gold: inc, docs: ds });
    }
  }
  return out;
}
