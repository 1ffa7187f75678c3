import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dimension } from '../schemas/index.ts';
import { fit, fitSigned, predict } from '../pipeline/backends/offline/logistic.ts';
import { EXPERTS, chooseOptions, setConfidence } from '../pipeline/backends/offline/model.ts';
import { DEFAULT_MODEL_FILE, MODEL } from '../pipeline/backends/offline/learned.ts';
import { agreement } from '../evals/agreement.ts';
import { taxonomyEvidence, taxonomyFeatures } from '../pipeline/backends/offline/features.ts';
import { readArticle } from '../pipeline/backends/offline/evidence.ts';
import { toArticle } from '../pipeline/ingest/article.ts';
import { incidentWeights } from '../pipeline/learn/base.ts';
import { chooseExpert } from '../pipeline/learn/adapt.ts';
import { ROOT } from './cli-runner.ts';
import { SHARED } from './fixtures.ts';

/** A deterministic pseudo-random stream, so the data sets below are the same on every run. */
function rng(seed: number) {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
}

describe('logistic regression', () => {
  it('learns which feature carries the signal, and its probabilities track the true rate', () => {
    const r = rng(7);
    const xs = Array.from({ length: 400 }, () => ({ signal: r() * 4 - 2, noise: r() * 4 - 2 }));
    // True model: P(y) = sigmoid(2·signal); noise is irrelevant.
    const ys = xs.map((x) => (r() < 1 / (1 + Math.exp(-2 * x.signal)) ? 1 : 0));
    const m = fit(['signal', 'noise'], xs, ys, { l2: 0.1 });
    const [wSignal, wNoise] = m.weights.map((w, i) => w / m.scale[i]!);
    expect(wSignal).toBeGreaterThan(1.4);
    expect(wSignal).toBeLessThan(2.8);
    expect(Math.abs(wNoise!)).toBeLessThan(0.4);
    expect(predict(m, { signal: 0, noise: 0 })).toBeCloseTo(0.5, 1);
    expect(predict(m, { signal: 2, noise: 0 })).toBeGreaterThan(0.9);
  });

  it('with one class only, keeps the weights at zero and the bias at the smoothed base rate', () => {
    const m = fit(['a'], [{ a: 1 }, { a: 2 }, { a: 3 }], [0, 0, 0]);
    expect(m.weights).toEqual([0]);
    expect(predict(m, { a: 100 })).toBeLessThan(0.2);
  });

  it('drops a feature whose learned direction contradicts its known sign, and refits the rest', () => {
    const r = rng(11);
    const xs = Array.from({ length: 300 }, () => ({ good: r(), spurious: r() }));
    const ys = xs.map((x) => (x.good - x.spurious + (r() - 0.5) * 0.3 > 0 ? 1 : 0));
    const free = fit(['good', 'spurious'], xs, ys);
    expect(free.weights[1]).toBeLessThan(0);
    const signed = fitSigned(['good', 'spurious'], xs, ys, { good: 1, spurious: 1 });
    expect(signed.features).toEqual(['good']);
    expect(signed.weights[0]).toBeGreaterThan(0);
  });
});

describe('fact models', () => {
  it('weigh every incident the same, however many candidates it has', () => {
    const rows = [{ n: 0 }, { n: 1 }, { n: 1 }, { n: 1 }, { n: 2 }, { n: 2 }];
    const w = incidentWeights(rows);
    const perIncident = [0, 1, 2].map((n) => rows.reduce((a, r, i) => a + (r.n === n ? w[i]! : 0), 0));
    for (const total of perIncident) expect(total).toBeCloseTo(2, 9);
    // The total weight stays the number of rows, so the penalty keeps its strength.
    expect(w.reduce((a, x) => a + x, 0)).toBeCloseTo(rows.length, 9);
  });
});

describe('choosing an option set', () => {
  const phase = dimension('phase');
  const cps = dimension('cps');

  it('takes every option likelier in than out, and gives the probability of exactly that set', () => {
    const c = chooseOptions(
      phase,
      new Map([
        ['design', 0.9],
        ['operation', 0.6],
        ['unknown', 0.05],
      ]),
    );
    expect(c.options).toEqual(['design', 'operation']);
    expect(c.probability).toBeCloseTo(0.9 * 0.6 * 0.95, 6);
  });

  it('is never empty: with no likely option it takes the likeliest, which may be unknown, alone', () => {
    expect(
      chooseOptions(
        phase,
        new Map([
          ['design', 0.3],
          ['operation', 0.2],
          ['unknown', 0.1],
        ]),
      ).options,
    ).toEqual(['design']);
    expect(
      chooseOptions(
        phase,
        new Map([
          ['design', 0.1],
          ['operation', 0.2],
          ['unknown', 0.4],
        ]),
      ).options,
    ).toEqual(['unknown']);
    expect(
      chooseOptions(
        phase,
        new Map([
          ['design', 0.8],
          ['operation', 0.1],
          ['unknown', 0.7],
        ]),
      ).options,
    ).toEqual(['design']);
  });

  it('gives a boolean dimension exactly one answer', () => {
    expect(
      chooseOptions(
        cps,
        new Map([
          ['true', 0.7],
          ['false', 0.6],
          ['unknown', 0.01],
        ]),
      ).options,
    ).toEqual(['true']);
  });

  it('turns a likelier set into a higher confidence', () => {
    expect(setConfidence(MODEL.calibration, 0.9)).toBeGreaterThan(setConfidence(MODEL.calibration, 0.5));
    expect(setConfidence(MODEL.calibration, 0.5)).toBeGreaterThan(setConfidence(MODEL.calibration, 0.1));
  });
});

describe("choosing the expert for the analysts' conventions", () => {
  const of = (right: Record<string, number>, n: number) =>
    chooseExpert(Object.fromEntries(EXPERTS.map((e) => [e, Math.round(((right[e] ?? 0) / n) * 1000) / 1000])), n);

  it('keeps the simpler expert when a more complex one is right on one incident more', () => {
    // FAIL's objective: corpus 14 of 21, knn 14, blend 15.
    expect(of({ corpus: 14, stack: 13, knn: 14, blend: 15 }, 21)).toBe('corpus');
    expect(of({ prior: 6, stack: 7 }, 10)).toBe('prior');
  });

  it('takes a more complex expert that is right on two incidents more than the one it replaces', () => {
    // FAIL's capability: corpus 5, stack 8, knn 13, blend 12.
    expect(of({ corpus: 5, stack: 8, knn: 13, blend: 12 }, 21)).toBe('knn');
    expect(of({ prior: 14, corpus: 14, stack: 18, knn: 15, blend: 17 }, 21)).toBe('stack');
  });
});

describe('the shipped model', () => {
  it("learned its cue weights from the project-written corpus, and its conventions from FAIL's dev split", () => {
    expect(MODEL.sources.length).toBeGreaterThan(0);
    for (const s of MODEL.sources) expect(s.dir).toMatch(/^data\/train\//);
    expect(MODEL.trained.incidents).toBeGreaterThanOrEqual(100);
    expect(MODEL.adaptation?.sources.map((s) => s.dir)).toEqual(['../shared/benchmarks/fail']);
  });

  it("screens FAIL's way: its refit weighs a signal the corpus model dropped, that software is what failed", () => {
    // The corpus counts a flooded server room as a failure, so naming software in the failure sentence
    // teaches it nothing; FAIL's analysts count only failures of software, and the refit may read every signal.
    expect(MODEL.screening.isFailure.features).not.toContain('softwareFailures');
    const adapted = MODEL.adaptation!.screening.isFailure;
    expect(adapted.weights[adapted.features.indexOf('softwareFailures')]).toBeGreaterThan(0);
  });

  it('holds no text of the benchmark articles it learned from: numbers, ids, feature names and single words', () => {
    const shipped = readFileSync(DEFAULT_MODEL_FILE, 'utf8');
    const strings: string[] = [];
    JSON.parse(shipped, (key, value) => {
      strings.push(key);
      if (typeof value === 'string') strings.push(value);
      return value;
    });
    // Every string is one word at most (an id, a path, a feature name, a lexicon's word stem), so no run of
    // an article's words can be in it; the lexicons' words are the analysts' fact words, stemmed.
    expect(strings.filter((s) => /\s/.test(s.trim()))).toEqual([]);
    const file = join(SHARED, 'benchmarks', 'fail', 'articles.jsonl');
    const texts = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line).text as string);
    // Nor is any article's sentence glued into one token.
    const long = new Set(strings.filter((s) => s.length >= 40));
    for (const text of texts) for (const s of long) expect(text.includes(s), s).toBe(false);
  });
});

describe('evals/agreement.ts', () => {
  it('scores a second annotator against the training gold, per dimension and on average', async () => {
    const parts = join(ROOT, 'data/train/parts');
    const lines = await agreement(
      join(ROOT, 'data/train/agreement/second-annotator.jsonl'),
      readdirSync(parts).map((d) => join(parts, d)),
    );
    expect(lines).toContainEqual(expect.stringMatching(/^recurring +n= +30 +exact \d\.\d{3} +jaccard \d\.\d{3}$/));
    const mean = /mean over 16 dimensions: exact (\d\.\d{3}), jaccard (\d\.\d{3}) \(30 incidents\)/.exec(lines.at(-1)!);
    expect(mean).not.toBeNull();
    expect(Number(mean![1])).toBeGreaterThan(0);
    expect(Number(mean![2])).toBeGreaterThanOrEqual(Number(mean![1]));
  });
});

describe('taxonomy features', () => {
  const features = (headline: string, text: string) => {
    const docs = [
      readArticle(toArticle({ id: `f-${headline.length}-${text.length}`, headline, text, published: '2023-05-02', origin: 'test' })),
    ];
    return taxonomyFeatures(taxonomyEvidence(docs), docs);
  };

  it("reads an earlier failure, and whether the headline's organisation had it", () => {
    const same = features(
      'Harbourline Bank app outage',
      'The app crashed on Monday. Harbourline Bank suffered a similar outage in 2019, when its app crashed for a day.',
    );
    expect(same['recurring.earlier']).toBeGreaterThan(0);
    expect(same['recurring.earlierSameOrg']).toBeGreaterThan(0);
    const other = features(
      'Harbourline Bank app outage',
      'The app crashed on Monday. Kestrel Savings suffered a similar outage in 2019, when its app crashed for a day.',
    );
    expect(other['recurring.earlier']).toBeGreaterThan(0);
    expect(other['recurring.earlierSameOrg']).toBe(0);
    // The same year as the article, or no failure in the sentence: not an earlier failure.
    const none = features(
      'Harbourline Bank app outage',
      'The app crashed on Monday. The bank opened a new branch in 2019. In 2023 the app crashed again.',
    );
    expect(none['recurring.earlier']).toBe(0);
  });

  it('reads home routers as network equipment, not as a cyber-physical system, whatever their firmware', () => {
    // FAIL's analysts and the corpus's guide alike: a router monitors and controls nothing physical.
    const f = features(
      'Popular home routers easy to hack',
      'Researchers found that attackers on the local network could take over 13 popular routers through flaws in their firmware.',
    );
    expect(f['cps.false']).toBeGreaterThan(0);
    expect(f['cps.true']).toBe(0);
    expect(features('Brake fault', 'A firmware fault made the cars brake hard.')['cps.true']).toBeGreaterThan(0);
  });

  it('tells who acted: staff or attackers tied to the cause, or nobody', () => {
    expect(features('Outage', 'The outage was caused by an engineer who pushed a faulty change.')['agents.staff']).toBeGreaterThan(0);
    expect(features('Breach', 'The breach was caused by hackers who stole passwords.')['agents.attacker']).toBeGreaterThan(0);
    expect(features('Outage', 'The outage was caused by a technical glitch.')['agents.none']).toBe(1);
  });
});
