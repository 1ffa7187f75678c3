import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DIMENSION_KEYS, POSTMORTEM_FIELDS } from '../schemas/index.ts';
import type { GoldSet } from './gold.ts';
import type { HarnessResult } from './harness.ts';

export const ARTICLE_PREDICTIONS = 'articles-predictions.jsonl';
export const INCIDENT_PREDICTIONS = 'incidents-predictions.jsonl';

const numbered = (facts: readonly string[]) => (facts.length ? facts.map((f, i) => `${i + 1}. ${f}`).join('\n') : null);
const jsonl = (rows: unknown[]) => rows.map((r) => JSON.stringify(r)).join('\n') + (rows.length ? '\n' : '');

/**
 * Predictions in the gold files' own shape: one line per gold record, in gold order, with the same
 * `id` and a `predicted` object where the gold file has `gold`, so an outside scorer can read both.
 * Postmortem fields are numbered fact lists like the gold's; citations ride along per fact.
 */
export function writePredictions(dir: string, gold: GoldSet, h: HarnessResult): { articles: string; incidents: string } {
  const articles = join(dir, ARTICLE_PREDICTIONS);
  writeFileSync(
    articles,
    jsonl(
      gold.articles.map((a) => {
        const p = h.articles.get(a.id);
        return {
          id: a.id,
          predicted: {
            isFailure: p?.isFailure ?? null,
            analyzable: p?.analyzable ?? null,
            incidentId: p?.incidentId ?? null,
            confidence: p?.confidence ?? null,
            stageIncidentId: p?.stageIncidentId ?? null,
            duplicateOf: p?.duplicateOf ?? null,
          },
        };
      }),
    ),
  );
  const incidents = join(dir, INCIDENT_PREDICTIONS);
  writeFileSync(
    incidents,
    jsonl(
      gold.incidents.map((inc) => {
        const p = h.incidents.get(inc.id);
        const pm = p?.postmortem ?? null;
        const labels = new Map((p?.labels ?? []).map((l) => [l.dimension, l]));
        return {
          id: inc.id,
          articleIds: inc.articleIds,
          predicted: {
            title: pm?.title ?? null,
            postmortem: Object.fromEntries(POSTMORTEM_FIELDS.map((f) => [f, pm ? numbered(pm[f].map((x) => x.text)) : null])),
            taxonomy: Object.fromEntries(DIMENSION_KEYS.map((d) => [d, labels.get(d)?.options ?? null])),
            confidence: Object.fromEntries(DIMENSION_KEYS.map((d) => [d, labels.get(d)?.confidence ?? null])),
            citations: {
              postmortem: Object.fromEntries(POSTMORTEM_FIELDS.map((f) => [f, pm ? pm[f].map((x) => x.citations) : []])),
              taxonomy: Object.fromEntries(DIMENSION_KEYS.map((d) => [d, labels.get(d)?.citations ?? []])),
            },
          },
        };
      }),
    ),
  );
  return { articles, incidents };
}
