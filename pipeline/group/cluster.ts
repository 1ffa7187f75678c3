import type { Article } from '../../schemas/index.ts';
import { hashOf } from '../text/hash.ts';
import { nameOverlap, properNames } from '../text/names.ts';
import { CandidateIndex } from './index.ts';
import { Incidents } from './incidents.ts';
import { terms } from './tfidf.ts';
import { SparseCorpus, sparseCosine, type SparseVector, type TermCounts } from './sparse.ts';
import { TUNING, type GroupingTuning } from './tuning.ts';

export { GROUPING_METHOD } from './tuning.ts';

/** A pair put to the backend: is the article about the same incident as this earlier one? */
export interface Question {
  candidate: string;
  /** TF-IDF similarity, moved up or down by the distinctive names the two share. */
  evidence: number;
}

export interface Verdict extends Question {
  same: boolean;
}

export interface Assignment {
  incidentId: string;
  similarity: number | null;
  /** Incidents this article bridged, folded into `incidentId`. */
  merged: string[];
}

export const newIncidentId = (firstArticleId: string) => `inc-${hashOf(firstArticleId).slice(0, 10)}`;

const dayOf = (published: string | null) => {
  const t = published ? Date.parse(published) : NaN;
  return Number.isNaN(t) ? null : Math.floor(t / 86_400_000);
};

/** What grouping keeps of an article: its vector, distinctive names and day (days since 1970), if dated. */
interface Known {
  id: string;
  vector: SparseVector;
  names: Set<string>;
  day: number | null;
}

/**
 * Incremental clustering over TF-IDF vectors, in two steps per article. `questions` finds its candidates
 * among the articles before it (inverted index of distinctive terms) and says which pairs to put to the
 * backend; a pair's question depends only on the two articles and the corpus, never on earlier decisions,
 * so questions can be asked ahead and concurrently. `decide`, called in article order, joins the article
 * to the incidents of the candidates the backend called the same, unless the incident would then span more
 * than a set time: single links would otherwise chain similar stories of different years into one.
 */
export class Grouper {
  private corpus = new SparseCorpus();
  private index = new CandidateIndex();
  private known: Known[] = [];
  private numberOf = new Map<string, number>();
  private incidents = new Incidents();
  readonly incidentOf: ReadonlyMap<string, string> = this.incidents.incidentOf;

  /**
   * `articles`: every article known, in order (document frequencies come from all of them, not only the
   * failures); `takesPart`: those to group; `membership`: their incidents so far.
   */
  constructor(
    articles: Iterable<Article>,
    takesPart: (id: string) => boolean,
    membership: ReadonlyMap<string, string>,
    private readonly t: GroupingTuning['method'] = TUNING.method,
  ) {
    const pending: { article: Pick<Article, 'id' | 'published'>; counts: TermCounts; names: Set<string> }[] = [];
    const nameDf = new Map<string, number>();
    for (const a of articles) {
      const counts = this.corpus.add(terms(a));
      const names = properNames(a);
      for (const n of names) nameDf.set(n, (nameDf.get(n) ?? 0) + 1);
      if (takesPart(a.id) || membership.has(a.id)) pending.push({ article: { id: a.id, published: a.published }, counts, names });
    }
    const limit = Math.max(3, this.corpus.size * this.t.distinctiveShare);
    for (const p of pending) {
      const names = new Set([...p.names].filter((n) => (nameDf.get(n) ?? 0) <= limit));
      this.numberOf.set(p.article.id, this.known.length);
      this.known.push({ id: p.article.id, vector: this.corpus.vector(p.counts), day: dayOf(p.article.published), names });
    }
    // Grouped articles are candidates from the start, in article order, as they were when grouped.
    for (const [n, k] of this.known.entries()) {
      const inc = membership.get(k.id);
      if (!inc) continue;
      this.incidents.join(inc, k.id, k.day);
      this.index.add(n, k.vector);
    }
  }

  private member(id: string): Known {
    const n = this.numberOf.get(id);
    if (n === undefined) throw new Error(`article ${id} is not one the grouper was given to group`);
    return this.known[n];
  }

  /** Candidates of an article, as pairs to put to the backend; the article then becomes a candidate for later ones. */
  questions(articleId: string): Question[] {
    const me = this.member(articleId);
    const out: [number, number][] = [];
    for (const c of this.index.candidates(me.vector, this.t.maxCandidates)) {
      const other = this.known[c];
      const sim = sparseCosine(me.vector, other.vector);
      if (sim < this.t.minCandidateSimilarity) continue;
      const names = nameOverlap(me.names, other.names);
      out.push([c, Number(Math.max(0, sim + this.t.nameWeight * (names - this.t.nameBaseline)).toFixed(4))]);
    }
    this.index.add(this.numberOf.get(articleId)!, me.vector);
    return out
      .sort((a, b) => b[1] - a[1] || a[0] - b[0])
      .slice(0, this.t.maxQuestions)
      .map(([c, evidence]) => ({ candidate: this.known[c].id, evidence }));
  }

  /** Puts the article into an incident from the backend's answers about its pairs. Call in article order. */
  decide(articleId: string, verdicts: readonly Verdict[]): Assignment {
    const me = this.member(articleId);
    const best = new Map<string, number>();
    for (const v of verdicts) {
      const inc = v.same ? this.incidentOf.get(v.candidate) : undefined;
      if (inc && v.evidence > (best.get(inc) ?? -1)) best.set(inc, v.evidence);
    }
    const admitted = [...best.entries()]
      .filter(([inc]) => this.incidents.span([inc], me.day) <= this.t.maxSpanDays)
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    const incidentId = admitted[0]?.[0] ?? newIncidentId(articleId);
    const merged: string[] = [];
    for (const [inc] of admitted.slice(1)) {
      if (this.incidents.span([incidentId, inc], me.day) > this.t.maxSpanDays) continue;
      this.incidents.merge(incidentId, inc);
      merged.push(inc);
    }
    this.incidents.join(incidentId, me.id, me.day);
    return { incidentId, similarity: admitted[0]?.[1] ?? null, merged };
  }
}
