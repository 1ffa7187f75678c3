import { describe, expect, it } from 'vitest';
import { MODEL } from '../pipeline/backends/offline/learned.ts';
import { TUNING } from '../pipeline/backends/offline/tuning.ts';
import type { Labelled } from '../pipeline/learn/data.ts';
import { reusableCorpusPart } from '../pipeline/learn/learn.ts';

// Learning the corpus part takes minutes, so a model's part is reused; these are the cases where
// reusing it would score new features with old weights, or leak a fold's own labels.
describe("reusing a model's corpus part", () => {
  const sources = [{ dir: 'data/train/parts/p1', hash: 'abc', incidents: ['inc-1'], articles: ['a-1'] }];
  const corpus: Labelled = { sources, articles: [], incidents: [] };
  const from = { ...MODEL, sources, tuning: TUNING.hash };
  const none = { incidents: new Set<string>(), articles: new Set<string>() };

  it('serves for the same folders read with the same tuning', () => {
    expect(reusableCorpusPart(from, corpus, none)).toBe(true);
  });
  it('not when the tuning or the code that computes features changed', () => {
    expect(reusableCorpusPart({ ...from, tuning: 'other' }, corpus, none)).toBe(false);
    expect(reusableCorpusPart({ ...from, tuning: '' }, corpus, none)).toBe(false);
  });
  it('not when a folder changed', () => {
    expect(reusableCorpusPart({ ...from, sources: [{ ...sources[0]!, hash: 'abd' }] }, corpus, none)).toBe(false);
  });
  it('not when a fold leaves out one of its incidents', () => {
    expect(reusableCorpusPart(from, corpus, { incidents: new Set(['inc-1']), articles: new Set<string>() })).toBe(false);
  });
  it('the shipped model was learned with the tuning in the repository', () => {
    expect(MODEL.tuning).toBe(TUNING.hash);
  });
});
