import {
  DIMENSION_KEYS,
  POSTMORTEM_FIELDS,
  normalizeOptions,
  type DimensionKey,
  type ExportLabel,
  type ExportPostmortem,
  type ExportRecord,
  type IncidentRecord,
  type ReviewStamp,
  type TaxonomyLabel,
} from '../../schemas/index.ts';
import type { ReviewDecision } from '../../schemas/review.ts';
import { producerOf } from '../store/store.ts';
import { byTarget, factTarget, reviewedOptions, targetKey } from '../review/targets.ts';

export interface ReviewedRecords {
  records: ExportRecord[];
  /** Labels and facts whose exported value is a reviewer's. */
  applied: { labels: number; facts: number };
  /**
   * Fact decisions not applied: the fact was re-extracted since (its text is no longer the one the
   * reviewer saw), or its incident was regrouped away. They stay in the database.
   */
  skipped: { incidentId: string; target: string; reason: string }[];
}

const stamp = (d: ReviewDecision): ReviewStamp => ({
  source: 'review',
  reviewer: d.reviewer,
  at: d.createdAt,
  action: d.action,
  note: d.note,
});

/** The records as the model left them, in the export's shape (no review applied: `--no-review`). */
export const asExported = (records: readonly IncidentRecord[]): ExportRecord[] => [...records];

/**
 * Applies the reviewers' latest decisions (table `review_decisions`) to the records: a reviewed label's
 * options and a corrected fact's text win, stamped with who decided and when, and the model's answer is
 * kept beside them. A label decision holds for its incident and dimension whichever backend produced the
 * label; a fact decision only for the producer's fact the reviewer saw, and only while its text is unchanged.
 */
export function applyReviews(records: readonly IncidentRecord[], decisions: readonly ReviewDecision[]): ReviewedRecords {
  const latest = byTarget(decisions);
  const used = new Set<ReviewDecision>();
  const applied = { labels: 0, facts: 0 };
  const skipped: ReviewedRecords['skipped'] = [];
  const out = records.map((rec): ExportRecord => {
    const labelOf = (d: ReviewDecision | undefined, model: TaxonomyLabel | undefined, dim: DimensionKey): ExportLabel | undefined => {
      const reviewed = reviewedOptions(d);
      if (d) used.add(d);
      if (!d || !reviewed) return model;
      // Checked against the taxonomy when recorded; this types them as the dimension's keys.
      const options = normalizeOptions(dim, reviewed);
      applied.labels++;
      return model
        ? { ...model, options, review: stamp(d), model: { options: model.options, confidence: model.confidence } }
        : {
            dimension: dim,
            options,
            rationale: d.note ?? 'Set by the reviewer; no backend labelled this dimension.',
            confidence: null,
            citations: [],
            provenance: null,
            review: stamp(d),
            model: null,
          };
    };
    const decided = (dim: DimensionKey) => latest.get(targetKey('label', rec.id, dim, null));
    // The model's labels in their order, then dimensions only a reviewer labelled.
    const labels = rec.labels.map((l) => labelOf(decided(l.dimension), l, l.dimension)!);
    const modelDims = new Set(rec.labels.map((l) => l.dimension));
    for (const dim of DIMENSION_KEYS.filter((k) => !modelDims.has(k))) {
      const l = labelOf(decided(dim), undefined, dim);
      if (l) labels.push(l);
    }
    let postmortem: ExportPostmortem | null = rec.postmortem;
    if (rec.postmortem && rec.postmortemProvenance) {
      const producer = producerOf(rec.postmortemProvenance);
      const pm = { ...rec.postmortem } as ExportPostmortem;
      for (const field of POSTMORTEM_FIELDS) {
        pm[field] = rec.postmortem[field].map((fact, idx) => {
          const d = latest.get(targetKey('fact', rec.id, factTarget(field, idx), producer));
          if (!d) return fact;
          used.add(d);
          if (d.snapshot?.text !== undefined && d.snapshot.text !== fact.text) {
            skipped.push({ incidentId: rec.id, target: d.target, reason: `the fact was re-extracted since ${d.reviewer} reviewed it` });
            return fact;
          }
          applied.facts++;
          return { ...fact, text: d.action === 'change' && d.text ? d.text : fact.text, review: stamp(d), model: { text: fact.text } };
        });
      }
      postmortem = pm;
    }
    return { ...rec, postmortem, labels };
  });
  const known = new Set(records.map((r) => r.id));
  for (const d of latest.values()) {
    if (!used.has(d) && !known.has(d.incidentId))
      skipped.push({ incidentId: d.incidentId, target: d.target, reason: 'the incident is no longer in the store (regrouped)' });
  }
  return { records: out, applied, skipped };
}
