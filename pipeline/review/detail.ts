import type { Citation, PostmortemField, Provenance, TaxonomyLabel } from '../../schemas/index.ts';
import { POSTMORTEM_FIELDS } from '../../schemas/index.ts';
import type { ReviewDecision } from '../../schemas/review.ts';
import { producerOf, type Store } from '../store/store.ts';
import { HttpError } from './http.ts';
import { factTarget } from './targets.ts';

export interface DetailFact {
  target: string;
  producer: string;
  field: PostmortemField;
  idx: number;
  text: string;
  citations: Citation[];
}

export interface IncidentDetail {
  id: string;
  title: string;
  summary: string;
  published: string | null;
  articleIds: string[];
  /** The producer whose postmortem is the record's (the most recent). */
  producer: string | null;
  postmortemProvenance: Provenance | null;
  articles: { id: string; headline: string; source: string | null; published: string | null; url: string | null; text: string }[];
  labels: (TaxonomyLabel & { producer: string })[];
  facts: DetailFact[];
  latest: ReviewDecision[];
  history: ReviewDecision[];
}

/** Everything the review page shows of one incident: its articles in full, every producer's labels and facts, and the decisions on them. */
export function incidentDetail(store: Store, id: string): IncidentDetail {
  const inc = store.incidents.get(id);
  if (!inc) throw new HttpError(404, `unknown incident "${id}"`);
  const head = store.records.headlines().get(id);
  const facts: DetailFact[] = [];
  let provenance: Provenance | null = null;
  for (const producer of store.records.producers()) {
    const pm = store.records.postmortem(id, producer);
    if (!pm) continue;
    if (producer === head?.producer) provenance = pm.provenance;
    for (const field of POSTMORTEM_FIELDS) {
      pm.postmortem[field].forEach((f, idx) =>
        facts.push({ target: factTarget(field, idx), producer, field, idx, text: f.text, citations: f.citations }),
      );
    }
  }
  return {
    id,
    title: head?.title || id,
    summary: head?.summary ?? '',
    published: inc.published,
    articleIds: inc.articleIds,
    producer: head?.producer ?? null,
    postmortemProvenance: provenance,
    articles: store.articles
      .byIds(inc.articleIds)
      .map((a) => ({ id: a.id, headline: a.headline, source: a.source, published: a.published, url: a.url, text: a.text })),
    labels: store.records.labels(id).map((l) => ({ ...l, producer: producerOf(l.provenance) })),
    facts,
    latest: store.review.latest(id),
    history: store.review.list(id),
  };
}
