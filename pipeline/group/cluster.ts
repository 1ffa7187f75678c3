import type { Article } from '../../schemas/index.ts';
import { hashOf } from '../text/hash.ts';
import { CandidateIndex } from './index.ts';
import { Corpus, cosine, terms, type Vector } from './tfidf.ts';

/** Below this similarity a candidate is not even put to the backend. */
export const MIN_CANDIDATE_SIMILARITY = 0.12;
const MAX_CANDIDATES = 40;

export interface Assignment {
  incidentId: string;
  similarity: number | null;
  /** Incidents this article bridged, folded into `incidentId` (single link). */
  merged: string[];
}

export type Decide = (article: Article, incidentArticles: Article[], similarity: number) => Promise<boolean>;

export const newIncidentId = (firstArticleId: string) => `inc-${hashOf(firstArticleId).slice(0, 10)}`;

/**
 * Incremental single-link clustering over TF-IDF vectors. Document frequencies come from every
 * article known (not only the failures), candidates from the inverted index, and the backend makes
 * the final same-incident call. Articles are taken in date order, so the result does not depend on
 * how a run was split into jobs.
 */
export class Grouper {
  private corpus = new Corpus();
  private index = new CandidateIndex();
  private vectors = new Map<string, Vector>();
  private termsOf = new Map<string, string[]>();
  private articles = new Map<string, Article>();
  readonly incidentOf = new Map<string, string>();
  private membersOf = new Map<string, Set<string>>();

  constructor(all: readonly Article[], membership: ReadonlyMap<string, string>) {
    for (const a of all) {
      const t = terms(a);
      this.termsOf.set(a.id, t);
      this.articles.set(a.id, a);
      this.corpus.add(t);
    }
    for (const [articleId, incidentId] of membership) {
      if (!this.articles.has(articleId)) continue;
      this.join(articleId, incidentId);
      this.index.add(articleId, this.vector(articleId));
    }
  }

  private vector(id: string): Vector {
    let v = this.vectors.get(id);
    if (!v) {
      v = this.corpus.vector(this.termsOf.get(id) ?? []);
      this.vectors.set(id, v);
    }
    return v;
  }

  private join(articleId: string, incidentId: string): void {
    this.incidentOf.set(articleId, incidentId);
    const set = this.membersOf.get(incidentId);
    if (set) set.add(articleId); else this.membersOf.set(incidentId, new Set([articleId]));
  }

  members(incidentId: string): Article[] {
    return [...(this.membersOf.get(incidentId) ?? [])].map((id) => this.articles.get(id)!);
  }

  async assign(article: Article, decide: Decide): Promise<Assignment> {
    const v = this.vector(article.id);
    const best = new Map<string, number>();
    for (const id of this.index.candidates(v).slice(0, MAX_CANDIDATES)) {
      const inc = this.incidentOf.get(id);
      if (!inc) continue;
      const sim = cosine(v, this.vector(id));
      if (sim >= MIN_CANDIDATE_SIMILARITY && sim > (best.get(inc) ?? -1)) best.set(inc, sim);
    }
    const ranked = [...best.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    const joined: [string, number][] = [];
    for (const [inc, sim] of ranked) {
      if (await decide(article, this.members(inc), sim)) joined.push([inc, sim]);
    }
    const incidentId = joined[0]?.[0] ?? newIncidentId(article.id);
    const merged = joined.slice(1).map(([inc]) => inc);
    for (const inc of merged) {
      for (const id of this.membersOf.get(inc) ?? []) this.join(id, incidentId);
      this.membersOf.delete(inc);
    }
    this.join(article.id, incidentId);
    this.index.add(article.id, v);
    return { incidentId, similarity: joined[0]?.[1] ?? null, merged };
  }
}
