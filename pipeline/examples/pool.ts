import { join, resolve } from 'node:path';
import type { Article, GoldIncident } from '../../schemas/index.ts';
import { type GoldProblem, loadGold } from '../../evals/gold.ts';
import { terms } from '../group/tfidf.ts';
import { contentHash, hashOf } from '../text/hash.ts';
import { SimilarityIndex } from './similarity.ts';

/** A labelled incident that may be shown as an example. Its articles are read for similarity only, never shown. */
export interface PoolIncident {
  id: string;
  /** The gold directory it was read from. */
  dir: string;
  articles: { id: string; headline: string; contentHash: string }[];
  gold: GoldIncident['gold'];
  terms: string[];
}

/** What an evaluation holds out: these incidents, and every incident with one of these articles. */
export interface Exclusion {
  incidents?: Iterable<string>;
  articles?: Iterable<string>;
}

/** The incident examples are chosen for: its id, when it has one, and its articles. */
export interface ExampleQuery {
  id?: string;
  articles: readonly Pick<Article, 'id' | 'headline' | 'text' | 'contentHash'>[];
}

export interface Neighbour {
  incident: PoolIncident;
  similarity: number;
  shared: string[];
}

/**
 * Labelled incidents to show as examples, ranked by TF-IDF similarity (headlines and text) to the
 * incident at hand. An incident never sees itself: pool incidents with its id, or with any of its
 * articles (by id or by text), are never offered, whatever was excluded before.
 */
export class ExamplePool {
  /** Content hash of everything that can reach a prompt or change a ranking; independent of paths and reading order. */
  readonly hash: string;
  private readonly index: SimilarityIndex;
  private readonly byId: Map<string, PoolIncident>;

  constructor(
    readonly incidents: readonly PoolIncident[],
    readonly problems: readonly GoldProblem[] = [],
  ) {
    this.byId = new Map(incidents.map((i) => [i.id, i]));
    const sorted = [...incidents].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    this.hash = hashOf(sorted.map((i) => [i.id, i.articles, i.gold]));
    this.index = new SimilarityIndex(incidents);
  }

  get size(): number {
    return this.incidents.length;
  }

  /** The pool without the excluded incidents, for cross-fitting: its hash and term weights are its own. */
  without(ex: Exclusion): ExamplePool {
    const ids = new Set(ex.incidents ?? []),
      arts = new Set(ex.articles ?? []);
    return new ExamplePool(
      this.incidents.filter((i) => !ids.has(i.id) && !i.articles.some((a) => arts.has(a.id))),
      this.problems,
    );
  }

  /** Every pool incident the query may see, most similar first. */
  nearest(query: ExampleQuery): Neighbour[] {
    const ids = new Set(query.articles.map((a) => a.id)),
      texts = new Set(query.articles.map((a) => a.contentHash));
    const own = (i: PoolIncident) => i.id === query.id || i.articles.some((a) => ids.has(a.id) || texts.has(a.contentHash));
    return this.index
      .rank(
        query.articles.flatMap((a) => terms(a)),
        (id) => !own(this.byId.get(id)!),
      )
      .map((r) => ({ incident: this.byId.get(r.id)!, similarity: r.similarity, shared: r.shared }));
  }
}

/**
 * Reads gold directories (benchmark format: evals/gold.ts) into a pool. Bad lines are left out and
 * listed in `problems`; a directory without labelled incidents is an error. An incident id read again
 * from a later directory replaces the earlier one (a review export correcting a benchmark), and says so.
 */
export async function examplePool(dirs: readonly string[]): Promise<ExamplePool> {
  const byId = new Map<string, PoolIncident>();
  const problems: GoldProblem[] = [];
  for (const dir of new Set(dirs.map((d) => resolve(d)))) {
    const gold = await loadGold(dir);
    problems.push(...gold.problems);
    if (!gold.incidents.length) throw new Error(`${join(gold.dir, 'incidents.jsonl')}: no labelled incidents to use as examples`);
    const articles = new Map(gold.articles.map((a) => [a.id, a]));
    for (const inc of gold.incidents) {
      const prior = byId.get(inc.id);
      if (prior)
        problems.push({
          origin: join(gold.dir, 'incidents.jsonl'),
          reason: `incident "${inc.id}" replaces the one read from ${prior.dir}`,
        });
      const own = inc.articleIds.map((id) => articles.get(id)!);
      byId.set(inc.id, {
        id: inc.id,
        dir: gold.dir,
        gold: inc.gold,
        articles: own.map((a) => ({ id: a.id, headline: a.headline, contentHash: contentHash(a.text) })),
        terms: own.flatMap((a) => terms(a)),
      });
    }
  }
  return new ExamplePool([...byId.values()], problems);
}
