import type { FactField } from './fact-fields.ts';
import { type Option, sameFact } from './merge.ts';
import { TUNING } from './tuning.ts';

export type { Option } from './merge.ts';

const { fieldsPerName: MAX_FIELDS, maxFacts: MAX_FACTS } = TUNING.settings.extraction;

const overlaps = (a: { start: number; end: number }, b: { start: number; end: number }) => a.start < b.end && b.start < a.end;

/**
 * Each statement goes to the one field it fits best, so a sentence is not listed as a cause, an impact
 * and a fix at once. A sentence states two facts when two of its clauses fit different fields: each
 * clause then goes to its own (clauses may not overlap), and the same words found again go where they
 * went first. A name fills at most `fieldsPerName` fields, those its best sightings fit, wherever it is
 * named: the maker of what failed is often the responsible and the impacted organisation at once
 * (FAIL's analysts list Boeing as both), and a source as well.
 * A field already holding its most facts (`caps`) takes only more sightings of those, and a new
 * statement that fits it best is listed nowhere: the field has likelier facts of its kind, and the
 * statement is no likelier a fact of another. Left to the field it fitted next, such statements were
 * nearly all wrong there (on FAIL's dev split, cross-fitted, fact precision 0.363 with them, 0.382
 * without, at recall 0.457; on the sample 0.551 / 0.415 with them, 0.566 / 0.408 without).
 */
export function assignFields(options: readonly Option[], caps: Record<FactField, number> = MAX_FACTS): Option[] {
  const byMargin = [...options].sort((a, b) => b.margin - a.margin || a.c.order - b.c.order);
  const kept: Option[] = [];
  const clauses = new Map<string, { start: number; end: number }[]>();
  const names = new Map<string, FactField[]>();
  const stated = new Map<string, FactField>();
  const facts = new Map<FactField, Option[]>();
  for (const o of byMargin) {
    const span = o.c.spans[o.field]!;
    const held = facts.get(o.field) ?? [];
    const known = held.some((f) => sameFact(f, o));
    const full = !known && held.length >= caps[o.field];
    if (o.c.kind === 'name') {
      if (full) continue;
      const fields = names.get(o.c.key) ?? [];
      if (!fields.includes(o.field)) {
        if (fields.length >= MAX_FIELDS) continue;
        names.set(o.c.key, [...fields, o.field]);
      }
    } else {
      // The same words elsewhere (a repeated paragraph, a wire story's sentence in two outlets) are the same statement.
      const said = span.text.toLowerCase().replace(/\s+/g, ' ');
      if ((stated.get(said) ?? o.field) !== o.field) continue;
      stated.set(said, o.field);
      const at = `${o.c.articleId}\u0000${o.c.s.index}`;
      const taken = clauses.get(at) ?? [];
      if (taken.some((t) => overlaps(t, span))) continue;
      clauses.set(at, [...taken, span]);
      if (full) continue;
    }
    if (!known) facts.set(o.field, [...held, o]);
    kept.push(o);
  }
  return kept;
}
