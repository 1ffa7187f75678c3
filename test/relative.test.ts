import { describe, expect, it } from 'vitest';
import type { Features } from '../pipeline/backends/offline/logistic.ts';
import { relativeToIncident } from '../pipeline/backends/offline/relative.ts';
import { TUNING } from '../pipeline/backends/offline/tuning.ts';

describe("reading a candidate against its incident's best", () => {
  const { fields } = TUNING.settings.extraction.relative;

  it('gives each compared feature less the highest in the same incident, never another', () => {
    expect(fields).toContain('softwareCauses');
    const xs: Features[] = [{ lex: 1, 'cue.softwareCauses': 2 }, { lex: 3, 'cue.softwareCauses': 0 }, { lex: 0.5 }];
    // The first two are one story's candidates, the third another's: its best is itself.
    const out = relativeToIncident(xs, 'softwareCauses', (i) => (i < 2 ? 0 : 1));
    expect(out[0]).toMatchObject({ lex: 1, 'rel.lex': -2, 'rel.cue.softwareCauses': 0 });
    expect(out[1]).toMatchObject({ 'rel.lex': 0, 'rel.cue.softwareCauses': -2 });
    expect(out[2]).toMatchObject({ 'rel.lex': 0, 'rel.cue.softwareCauses': 0 });
  });

  it('leaves the features of a field it does not compare as they are', () => {
    const other = (['preventions', 'fixes', 'system'] as const).find((f) => !fields.includes(f))!;
    const xs = [{ lex: 1 }, { lex: 3 }];
    expect(relativeToIncident(xs, other)).toEqual(xs);
  });
});
