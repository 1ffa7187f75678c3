import type { FactField } from './fact-fields.ts';
import type { Features } from './logistic.ts';
import { TUNING } from './tuning.ts';

/**
 * A fact is chosen among one incident's candidates, so for causes and impacts what counts is how a
 * candidate compares with the incident's best, not only the level of its scores: one story is full of
 * cause words, another has few, and the same count of them means a likely cause in the one and an
 * unlikely one in the other. For the fields and features `relative` names (settings.json), a candidate
 * also carries each feature's value less the highest among its incident's candidates. Preventions and
 * fixes are left out: read this way too, they lost facts on FAIL's dev split (fact recall / precision
 * 0.441 / 0.348 with them, 0.454 / 0.359 without, cross-fitted), where a story states them in a sentence
 * or two that their own cues mark.
 */
const { fields, features } = TUNING.settings.extraction.relative;
const FIELDS = new Set<FactField>(fields);

/** Candidates' features, with the relative ones for `field`; `incidentOf` groups candidates of several incidents (training). */
export function relativeToIncident(xs: readonly Features[], field: FactField, incidentOf: (i: number) => number = () => 0): Features[] {
  if (!FIELDS.has(field)) return [...xs];
  const keys = features.map((f) => f.replaceAll('{field}', field));
  const best = new Map<number, number[]>();
  xs.forEach((x, i) => {
    const g = incidentOf(i);
    const b = best.get(g) ?? keys.map(() => -Infinity);
    best.set(
      g,
      keys.map((k, j) => Math.max(b[j]!, x[k] ?? 0)),
    );
  });
  return xs.map((x, i) => {
    const b = best.get(incidentOf(i))!;
    return { ...x, ...Object.fromEntries(keys.map((k, j) => [`rel.${k}`, (x[k] ?? 0) - b[j]!])) };
  });
}
