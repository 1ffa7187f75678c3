import { describe, expect, it } from 'vitest';
import { binaryScores } from '../evals/metrics/prf.ts';
import { vMeasure } from '../evals/metrics/vmeasure.ts';
import { exactSet, jaccard, setScores } from '../evals/metrics/sets.ts';
import { calibration } from '../evals/metrics/calibration.ts';
import { mulberry32, pairedBootstrap, percentile } from '../evals/metrics/bootstrap.ts';
import { factMatches, matchFacts, splitFacts } from '../evals/facts.ts';
import { majorityLeaveOneOut, setKey } from '../evals/baseline.ts';
import { compareRuns, missedThresholds, parseThreshold, type EvalRun } from '../evals/compare.ts';
import type { Items, ScreeningItem } from '../evals/items.ts';

const pairs = (gold: string[], pred: string[]) => gold.map((g, i) => ({ gold: g, pred: pred[i] }));

describe('precision, recall, F1', () => {
  it('counts the confusion matrix and derives the ratios', () => {
    const s = binaryScores([
      { gold: true, pred: true },
      { gold: true, pred: true },
      { gold: false, pred: true },
      { gold: true, pred: false },
      { gold: false, pred: false },
    ]);
    expect([s.tp, s.fp, s.fn, s.tn, s.n]).toEqual([2, 1, 1, 1, 5]);
    expect(s.precision).toBeCloseTo(2 / 3);
    expect(s.recall).toBeCloseTo(2 / 3);
    expect(s.f1).toBeCloseTo(2 / 3);
    expect(s.accuracy).toBeCloseTo(3 / 5);
  });

  it('leaves undefined ratios null instead of inventing zeros', () => {
    const s = binaryScores([
      { gold: false, pred: false },
      { gold: false, pred: false },
    ]);
    expect(s.precision).toBeNull();
    expect(s.recall).toBeNull();
    expect(s.f1).toBeNull();
    const none = binaryScores([{ gold: true, pred: false }]);
    expect(none.precision).toBeNull();
    expect(none.recall).toBe(0);
    expect(none.f1).toBe(0);
  });
});

describe('V-measure', () => {
  it('is 1 for a perfect clustering, whatever the labels are called', () => {
    const v = vMeasure(pairs(['a', 'a', 'b', 'b'], ['x', 'x', 'y', 'y']));
    expect([v.homogeneity, v.completeness, v.vMeasure]).toEqual([1, 1, 1]);
  });

  it('one big cluster: homogeneity 0, completeness 1, V 0', () => {
    const v = vMeasure(pairs(['a', 'a', 'b', 'b'], ['x', 'x', 'x', 'x']));
    expect(v.homogeneity).toBeCloseTo(0);
    expect(v.completeness).toBeCloseTo(1);
    expect(v.vMeasure).toBeCloseTo(0);
  });

  it('all singletons: homogeneity 1, completeness 1 − ln2/ln4 = 0.5, V 2/3', () => {
    const v = vMeasure(pairs(['a', 'a', 'b', 'b'], ['w', 'x', 'y', 'z']));
    expect(v.homogeneity).toBeCloseTo(1);
    expect(v.completeness).toBeCloseTo(0.5);
    expect(v.vMeasure).toBeCloseTo(2 / 3);
    expect(v.goldClusters).toBe(2);
    expect(v.predictedClusters).toBe(4);
  });

  it('matches the entropy formulas on a mixed case', () => {
    // gold a,a,a,b; predicted x,x,y,y. H(C) = −(¾ln¾ + ¼ln¼); H(C|K) = ½·ln2 (cluster y holds a and b).
    // H(K) = ln2; H(K|C) = ¾·H(⅔,⅓) (class a spread over x,x,y), class b pure.
    const v = vMeasure(pairs(['a', 'a', 'a', 'b'], ['x', 'x', 'y', 'y']));
    const hC = -(0.75 * Math.log(0.75) + 0.25 * Math.log(0.25));
    const h = 1 - (0.5 * Math.log(2)) / hC;
    const hKgivenC = 0.75 * -((2 / 3) * Math.log(2 / 3) + (1 / 3) * Math.log(1 / 3));
    const c = 1 - hKgivenC / Math.log(2);
    expect(v.homogeneity).toBeCloseTo(h, 10);
    expect(v.completeness).toBeCloseTo(c, 10);
    expect(v.vMeasure).toBeCloseTo((2 * h * c) / (h + c), 10);
  });
});

describe('set comparisons', () => {
  it('exact match and Jaccard', () => {
    expect(exactSet(['a', 'b'], ['b', 'a'])).toBe(true);
    expect(exactSet(['a'], ['a', 'b'])).toBe(false);
    expect(jaccard(['a', 'b'], ['b', 'c'])).toBeCloseTo(1 / 3);
    expect(jaccard([], [])).toBe(1);
    expect(jaccard(['unknown'], [])).toBe(0);
  });

  it('scores options per key, unknown included, and macro-averages over options that occur', () => {
    const s = setScores(
      [
        { gold: ['design'], pred: ['design', 'operation'] },
        { gold: ['unknown'], pred: ['unknown'] },
        { gold: ['operation'], pred: ['design'] },
      ],
      ['design', 'operation', 'unknown'],
    );
    expect(s.n).toBe(3);
    expect(s.exact).toBeCloseTo(1 / 3);
    expect(s.jaccard).toBeCloseTo((0.5 + 1 + 0) / 3);
    expect(s.options.design).toMatchObject({ tp: 1, fp: 1, fn: 0, tn: 1 });
    expect(s.options.operation).toMatchObject({ tp: 0, fp: 1, fn: 1, tn: 1 });
    expect(s.options.unknown).toMatchObject({ tp: 1, fp: 0, fn: 0, tn: 2 });
    // F1: design 2/3, operation 0, unknown 1.
    expect(s.macroF1).toBeCloseTo((2 / 3 + 0 + 1) / 3);
  });
});

describe('calibration', () => {
  it('bins confidences and computes ECE by hand', () => {
    const c = calibration([
      { confidence: 0.95, correct: true },
      { confidence: 0.95, correct: false },
      { confidence: 0.25, correct: false },
      { confidence: 0.25, correct: false },
    ]);
    // Top bin: accuracy 0.5 vs confidence 0.95; bin 0.2–0.3: accuracy 0 vs 0.25. Each holds half the answers.
    expect(c.ece).toBeCloseTo(0.5 * 0.45 + 0.5 * 0.25);
    expect(c.bins).toHaveLength(10);
    expect(c.bins[9]).toMatchObject({ n: 2, accuracy: 0.5 });
    expect(c.bins[2]).toMatchObject({ n: 2, accuracy: 0 });
    expect(c.bins.reduce((n, b) => n + b.n, 0)).toBe(4);
  });

  it('puts confidence 1 in the top bin and is 0 when perfectly calibrated', () => {
    const c = calibration([
      { confidence: 1, correct: true },
      { confidence: 1, correct: true },
    ]);
    expect(c.bins[9].n).toBe(2);
    expect(c.ece).toBe(0);
    expect(calibration([]).ece).toBeNull();
  });
});

describe('paired bootstrap', () => {
  const mean = (xs: readonly number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
  const a = [0.2, 0.4, 0.5, 0.1, 0.9, 0.3, 0.6, 0.7];
  const b = a.map((x) => x + 0.1);

  it('is reproducible with a seed and changes with it', () => {
    const r1 = pairedBootstrap(a, b, mean, { seed: 7, resamples: 500 });
    const r2 = pairedBootstrap(a, b, mean, { seed: 7, resamples: 500 });
    expect(r1).toEqual(r2);
    const g1 = mulberry32(1),
      g2 = mulberry32(2);
    expect([g1(), g1()]).not.toEqual([g2(), g2()]);
  });

  it('finds a constant shift exactly, and a zero interval for identical runs', () => {
    const r = pairedBootstrap(a, b, mean, { seed: 3, resamples: 300 });
    expect(r.delta).toBeCloseTo(0.1);
    expect(r.lo).toBeCloseTo(0.1);
    expect(r.hi).toBeCloseTo(0.1);
    const same = pairedBootstrap(a, a, mean, { seed: 3, resamples: 300 });
    expect([same.delta, same.lo, same.hi]).toEqual([0, 0, 0]);
  });

  it('interpolates percentiles', () => {
    expect(percentile([0, 10], 0.5)).toBe(5);
    expect(percentile([1, 2, 3, 4, 5], 0.25)).toBe(2);
  });
});

describe('fact matching', () => {
  it('splits numbered facts, drops references and "unknown" facts', () => {
    expect(splitFacts('1. The load balancer config was faulty [26032]\n2. Unknown\n3. Rollback took hours [Article 11, 12].')).toEqual([
      'The load balancer config was faulty',
      'Rollback took hours .',
    ]);
    expect(splitFacts('1. First fact. 2. Second fact.')).toEqual(['First fact.', 'Second fact.']);
    expect(splitFacts('Unknown')).toEqual([]);
    expect(splitFacts(null)).toEqual([]);
  });

  it('matches on stemmed content tokens of the gold fact', () => {
    expect(factMatches('load balancer configuration was faulty', 'A faulty configuration reached the load balancers')).toBe(true);
    expect(factMatches('customers lost access to email', 'the outage started at noon')).toBe(false);
    // A one-token gold fact needs its one token; a longer one needs at least two shared tokens.
    expect(factMatches('Tesla', 'Tesla recalled the cars')).toBe(true);
    expect(factMatches('Tesla engineers', 'Tesla recalled the cars')).toBe(false);
  });

  it('counts matched gold and predicted facts separately', () => {
    const m = matchFacts(
      ['payment terminals went offline nationwide', 'the bank apologised to customers'],
      ['Payment terminals across the country went offline on Friday', 'Shares fell four percent'],
    );
    expect(m).toEqual({ gold: 2, predicted: 2, matchedGold: 1, matchedPredicted: 1 });
  });
});

describe('majority baseline', () => {
  it('is leave-one-out, ties to the key that sorts first', () => {
    expect(majorityLeaveOneOut([true, true, false], String)).toEqual([false, false, true]);
    const sets = [['design'], ['design'], ['operation'], ['design', 'operation']];
    // Items 0 and 1 see three different sets once each: the tie goes to '["design","operation"]' (',' sorts before ']').
    expect(majorityLeaveOneOut(sets, setKey)).toEqual([['design', 'operation'], ['design', 'operation'], ['design'], ['design']]);
  });
});

describe('eval compare', () => {
  const screening = (correct: boolean[]): ScreeningItem[] =>
    correct.map((ok, i) => ({
      id: `a${i}`,
      gold: { isFailure: i % 2 === 0, analyzable: null },
      pipeline: { isFailure: ok ? i % 2 === 0 : i % 2 !== 0, analyzable: null, confidence: 0.8 },
      fail: null,
      baseline: { isFailure: true, analyzable: null },
    }));
  const run = (dir: string, correct: boolean[]): EvalRun => ({
    dir,
    scorecard: { run: { backend: 'offline', model: 'm' }, goldSet: { name: 'g' } } as EvalRun['scorecard'],
    items: { screening: screening(correct), grouping: { endToEnd: [], stage: [] }, taxonomy: [], postmortem: [], citations: [] } as Items,
  });
  const worse = run(
    'A',
    Array.from({ length: 40 }, (_, i) => i % 3 !== 0),
  );
  const better = run(
    'B',
    Array.from({ length: 40 }, () => true),
  );

  it('gives deltas with intervals, and calls a clear improvement better', () => {
    const { deltas } = compareRuns(worse, better, { seed: 1, resamples: 400 });
    const f1 = deltas.find((d) => d.key === 'screening.isFailure.f1')!;
    expect(f1.b).toBe(1);
    expect(f1.delta!).toBeGreaterThan(0);
    expect(f1.lo!).toBeLessThanOrEqual(f1.delta!);
    expect(f1.hi!).toBeGreaterThanOrEqual(f1.delta!);
    expect(f1.verdict).toBe('better');
    expect(compareRuns(worse, better, { seed: 1, resamples: 400 }).deltas).toEqual(deltas);
  });

  it('checks --fail-under thresholds against run B', () => {
    const { deltas } = compareRuns(better, worse, { seed: 1, resamples: 100 });
    expect(missedThresholds(deltas, [parseThreshold('screening.isFailure.f1=0.9')]).map((m) => m.key)).toEqual(['screening.isFailure.f1']);
    expect(missedThresholds(deltas, [parseThreshold('screening.isFailure.f1=0.1')])).toEqual([]);
    expect(() => parseThreshold('nonsense')).toThrow(/metric=value/);
    expect(() => parseThreshold('no.such.metric=1')).toThrow(/unknown metric/);
  });
});
