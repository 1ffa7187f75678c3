import type { Article } from '../../schemas/index.ts';
import { hashOf } from '../text/hash.ts';
import { CandidateIndex } from './index.ts';
import { Corpus, cosine, terms, type Vector } from './tfidf.ts';
import { nameOverlap, properNames } from '../text/names.ts';

/** Below this similarity a candidate is not even put to the backend. */
export const MIN_CANDIDATE_SIMILARITY = 0.12;
const MAX_CANDIDATES = 40;
/**
 * Shared distinctive names count towards the similarity put to the backend: it rises by NAME_WEIGHT
 * times how far the name overlap exceeds NAME_BASELINE (and falls below it). Set on the project's
 * training corpus (data/train), whose grouping is otherwise not learned from: it keeps apart similar
 * failures at different organisations and joins inquiry reports published a year on.
 */
const NAME_WEIGHT = 0.15;
const NAME_BASELINE = 0.1;
/** A name in more than this share of articles (a big company, a country) tells reports apart poorly. */
const DISTINCTIVE_SHARE = 0.02;
/** Part of every grouping job's input hash, so a change here regroups. */
export const GROUPING_METHOD = `tfidf+names:${NAME_WEIGHT}:${NAME_BASELINE}:${DISTINCTIVE_SHARE}:${MIN_CANDIDATE_SIMILARITY}`;

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
  private namesOf = new Map<string, Set<string>>();
  private nameDf = new Map<string, number>();
  readonly incidentOf = new Map<string, string>();
  private membersOf = new Map<string, Set<string>>();

  constructor(all: readonly Article[], membership: ReadonlyMap<string, string>) {
    for (const a of all) {
      const t = terms(a);
      this.termsOf.set(a.id, t);
      this.articles.set(a.id, a);
      this.corpus.add(t);
      const names = properNames(a);
      this.namesOf.set(a.id, names);
      for (const n of names) this.nameDf.set(n, (this.nameDf.get(n) ?? 0) + 1);
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

  private distinctiveNames(ids: Iterable<string>): Set<string> {
    const limit = Math.max(3, this.corpus.size * DISTINCTIVE_SHARE);
    const out = new Set<string>();
    for (const id of ids) for (const n of this.namesOf.get(id) ?? []) if ((this.nameDf.get(n) ?? 0) <= limit) out.add(n);
    return out;
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
    const mine = this.distinctiveNames([article.id]);
    const evidence = (inc: string, sim: number) => {
      const overlap = nameOverlap(mine, this.distinctiveNames(this.membersOf.get(inc) ?? []));
      return Number(Math.max(0, sim + NAME_WEIGHT * (overlap - NAME_BASELINE)).toFixed(4));
    };
    const ranked = [...best.entries()].map(([inc, sim]) => [inc, evidence(inc, sim)] as [string, number])
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
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
