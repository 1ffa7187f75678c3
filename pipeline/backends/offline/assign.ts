import type { Candidate } from './candidates.ts';
import type { FactField } from './fact-fields.ts';
import { TUNING } from './tuning.ts';

const MAX_FIELDS = TUNING.settings.extraction.fieldsPerName;

/** A candidate the field's model would keep: its probability, and by how much it clears the threshold (log-odds). */
export interface Option {
  c: Candidate;
  field: FactField;
  p: number;
  margin: number;
}

const overlaps = (a: { start: number; end: number }, b: { start: number; end: number }) => a.start < b.end && b.start < a.end;

/**
 * Each statement goes to the one field it fits best, so a sentence is not listed as a cause, an impact
 * and a fix at once. A sentence states two facts when two of its clauses fit different fields: each
 * clause then goes to its own (clauses may not overlap). A name belongs to one field too: the system,
 * the responsible or the impacted organisation, or a source; wherever it is named, it counts for the
 * field its best sighting fits.
 */
export function assignFields(options: readonly Option[]): Option[] {
  const byMargin = [...options].sort((a, b) => b.margin - a.margin || a.c.order - b.c.order);
  const kept: Option[] = [];
  const clauses = new Map<string, { start: number; end: number }[]>();
  const names = new Map<string, FactField[]>();
  for (const o of byMargin) {
    const span = o.c.spans[o.field]!;
    if (o.c.kind === 'name') {
      const fields = names.get(o.c.key) ?? [];
      if (!fields.includes(o.field)) {
        if (fields.length >= MAX_FIELDS) continue;
        names.set(o.c.key, [...fields, o.field]);
      }
    } else {
      const at = `${o.c.articleId}\u0000${o.c.s.index}`;
      const taken = clauses.get(at) ?? [];
      if (taken.some((t) => overlaps(t, span))) continue;
      clauses.set(at, [...taken, span]);
    }
    kept.push(o);
  }
  return kept;
}
