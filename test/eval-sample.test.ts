import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DIMENSION_KEYS, GoldArticle, GoldIncident, POSTMORTEM_FIELDS } from '../schemas/index.ts';
import { Store } from '../pipeline/store/store.ts';
import { ROOT } from './cli-runner.ts';
import { type InProcessResult as Result, failscope } from './cli-in-process.ts';
import { splitFacts } from '../evals/facts.ts';
import { loadGold } from '../evals/gold.ts';
import type { Scorecard } from '../evals/scorecard.ts';
import { evaluate } from '../evals/eval.ts';
import { type EvalRun, promptChanges } from '../evals/compare.ts';
import { EvalInterrupted } from '../evals/interrupted.ts';
import { OfflineBackend } from '../pipeline/backends/offline/index.ts';

const SAMPLE = join(ROOT, 'data', 'sample');

const jsonl = <T>(file: string, parse: (v: unknown) => T): T[] =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => parse(JSON.parse(l)));
const inUnit = (v: unknown) => typeof v === 'number' && v >= 0 && v <= 1;

/** Every number under a key that names a score must lie in [0, 1]. */
function scoresInRange(v: unknown, path: string, bad: string[]): void {
  if (Array.isArray(v)) {
    v.forEach((x, i) => scoresInRange(x, `${path}[${i}]`, bad));
    return;
  }
  if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) scoresInRange(x, `${path}.${k}`, bad);
    return;
  }
  const key = path.split('.').at(-1)!;
  if (path.includes('.counts.')) return;
  if (
    /^(precision|recall|f1|accuracy|homogeneity|completeness|vMeasure|exact|jaccard|macroF1|ece|meanConfidence|normalized|fuzzy|unaligned|verified)$/.test(
      key,
    ) &&
    typeof v === 'number' &&
    !inUnit(v)
  )
    bad.push(`${path}=${v}`);
}

describe('failscope eval on the sample gold set', () => {
  const out = mkdtempSync(join(tmpdir(), 'failscope-eval-'));
  const articles = jsonl(join(SAMPLE, 'articles.jsonl'), (v) => GoldArticle.parse(v));
  const incidents = jsonl(join(SAMPLE, 'incidents.jsonl'), (v) => GoldIncident.parse(v));
  let first: Result;
  let metrics: Scorecard;

  beforeAll(async () => {
    first = await failscope('eval', '--gold', SAMPLE, '--out', out);
    metrics = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8'));
  });

  it('names the backend first and writes every output', () => {
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr.split('\n')[0]).toMatch(/backend offline/);
    for (const f of [
      'metrics.json',
      'items.json',
      'summary.md',
      'report.html',
      'articles-predictions.jsonl',
      'incidents-predictions.jsonl',
      'pipeline.db',
      'gold-incidents.db',
    ]) {
      expect(existsSync(join(out, f)), f).toBe(true);
    }
    expect(first.stdout).toMatch(/is-failure F1/);
  });

  it("writes predictions in the gold files' shape, id for id", () => {
    const preds = jsonl(join(out, 'articles-predictions.jsonl'), (v) => v as { id: string; predicted: Record<string, unknown> });
    expect(preds.map((p) => p.id)).toEqual(articles.map((a) => a.id));
    for (const p of preds) {
      expect(Object.keys(p)).toEqual(['id', 'predicted']);
      expect(typeof p.predicted.isFailure).toBe('boolean');
      expect(typeof p.predicted.analyzable).toBe('boolean');
      if (p.predicted.isFailure) expect(p.predicted.incidentId).toMatch(/^inc-/);
      else expect(p.predicted.incidentId).toBeNull();
    }
    const ipreds = jsonl(
      join(out, 'incidents-predictions.jsonl'),
      (v) =>
        v as {
          id: string;
          articleIds: string[];
          predicted: { postmortem: Record<string, string | null>; taxonomy: Record<string, string[] | null> };
        },
    );
    expect(ipreds.map((p) => p.id)).toEqual(incidents.map((i) => i.id));
    ipreds.forEach((p, i) => {
      expect(p.articleIds).toEqual(incidents[i].articleIds);
      expect(Object.keys(p.predicted.postmortem).sort()).toEqual([...POSTMORTEM_FIELDS].sort());
      for (const d of DIMENSION_KEYS.filter((k) => !['perception', 'communication', 'application'].includes(k)))
        expect(p.predicted.taxonomy[d]?.length, d).toBeGreaterThan(0);
      for (const text of Object.values(p.predicted.postmortem)) if (text) expect(text).toMatch(/^1\. /);
    });
  });

  it('keeps every score in [0, 1] and the counts consistent with the gold', () => {
    const bad: string[] = [];
    scoresInRange(metrics, 'metrics', bad);
    expect(bad).toEqual([]);
    for (const v of Object.values(metrics.headline)) if (v !== null) expect(inUnit(v)).toBe(true);

    for (const label of ['isFailure', 'analyzable'] as const) {
      const goldN = articles.filter((a) => typeof a.gold[label] === 'boolean').length;
      for (const sys of ['pipeline', 'baseline'] as const) {
        const s = metrics.screening[label][sys];
        expect(s.tp + s.fp + s.fn + s.tn).toBe(s.n);
        expect(s.n).toBe(goldN);
        expect(s.tp + s.fn).toBe(articles.filter((a) => a.gold[label] === true).length);
      }
      expect(metrics.screening[label].fail).toBeNull();
    }

    const clustered = articles.filter((a) => a.gold.incidentId);
    expect(metrics.grouping.stage.pipeline.n).toBe(clustered.length);
    expect(metrics.grouping.stage.pipeline.goldClusters).toBe(new Set(clustered.map((a) => a.gold.incidentId)).size);
    expect(metrics.grouping.endToEnd.pipeline.n).toBe(articles.length);
    expect(metrics.grouping.endToEnd.pipeline.goldClusters).toBe(incidents.length + articles.length - clustered.length);

    for (const d of DIMENSION_KEYS) {
      const x = metrics.taxonomy.dimensions[d];
      expect(x.pipeline.n, d).toBe(incidents.filter((i) => Array.isArray(i.gold.taxonomy[d])).length);
      for (const o of Object.values(x.pipeline.options)) expect(o.tp + o.fp + o.fn + o.tn).toBe(x.pipeline.n);
    }
    expect(metrics.taxonomy.mean.pipeline!.dimensions).toBe(16);
    // The headline (recomputed from items, as eval compare does) agrees with the detailed scorecard.
    for (const m of ['exact', 'jaccard', 'macroF1'] as const) {
      expect(metrics.headline[`taxonomy.mean.${m}`]).toBeCloseTo(metrics.taxonomy.mean.pipeline![m]!, 10);
      for (const d of DIMENSION_KEYS)
        expect(metrics.headline[`taxonomy.${d}.${m}`] ?? null, `${d}.${m}`).toBeCloseTo(metrics.taxonomy.dimensions[d].pipeline[m]!, 10);
    }
    expect(metrics.headline['screening.isFailure.f1']).toBe(metrics.screening.isFailure.pipeline.f1);
    expect(metrics.headline['grouping.stage.vMeasure']).toBe(metrics.grouping.stage.pipeline.vMeasure);
    expect(metrics.headline['postmortem.all.recall']).toBe(metrics.postmortem.all.pipeline.recall);

    const goldFacts = incidents.reduce((n, i) => n + POSTMORTEM_FIELDS.reduce((m, f) => m + splitFacts(i.gold.postmortem[f]).length, 0), 0);
    expect(metrics.postmortem.all.pipeline.goldFacts).toBe(goldFacts);
    expect(POSTMORTEM_FIELDS.reduce((n, f) => n + metrics.postmortem.fields[f].pipeline.goldFacts, 0)).toBe(goldFacts);
    expect(metrics.postmortem.all.pipeline.matchedGold).toBeLessThanOrEqual(goldFacts);
    expect(metrics.postmortem.answered).toBe(incidents.length);

    for (const c of [metrics.citations.goldIncidents, metrics.citations.endToEnd]) {
      expect(c.counts.exact + c.counts.normalized + c.counts.fuzzy + c.counts.unaligned).toBe(c.total);
      expect(c.counts.verified).toBeLessThanOrEqual(c.total);
    }
    expect(metrics.citations.goldIncidents.total).toBeGreaterThan(0);

    for (const cal of [metrics.calibration.taxonomy, metrics.calibration.screening]) {
      expect(cal.bins.reduce((n, b) => n + b.n, 0)).toBe(cal.n);
    }
    expect(metrics.calibration.screening.n).toBe(articles.length);
  });

  it('renders the summary and a report with vega charts', () => {
    const md = readFileSync(join(out, 'summary.md'), 'utf8');
    for (const h of [
      '## Key figures',
      '## Screening',
      '## Grouping',
      '## Taxonomy',
      '## Postmortem facts',
      '## Citations',
      '## Calibration',
    ])
      expect(md).toContain(h);
    expect(md).toContain(`| ${metrics.taxonomy.mean.pipeline!.exact!.toFixed(3)} |`);
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html.match(/<svg/g)?.length ?? 0).toBeGreaterThanOrEqual(6);
    expect(html).toContain('class="marks"');
    expect(html).not.toMatch(/NaN|undefined/);
  });

  it('re-running reuses every job, scores the same, and compare finds no change', async () => {
    const again = await failscope('eval', '--gold', SAMPLE, '--out', out, '--json');
    expect(again.code, again.stderr).toBe(0);
    const store = new Store(join(out, 'pipeline.db'));
    try {
      const last = store.runs.list().at(-1)!;
      const stages = (last.summary as { stages: { planned: number; done: number; skipped: number }[] }).stages;
      for (const s of stages) {
        expect(s.done).toBe(0);
        expect(s.skipped).toBe(s.planned);
      }
    } finally {
      store.close();
    }
    const second: Scorecard = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8'));
    expect(second.headline).toEqual(metrics.headline);

    const cmp = await failscope('eval', 'compare', out, out, '--json', '--resamples', '200');
    expect(cmp.code, cmp.stderr).toBe(0);
    const deltas = JSON.parse(cmp.stdout).deltas as { key: string; delta: number | null; lo: number | null; hi: number | null }[];
    expect(deltas.length).toBeGreaterThan(20);
    for (const d of deltas) if (d.delta !== null) expect([d.delta, d.lo, d.hi], d.key).toEqual([0, 0, 0]);

    const gate = await failscope(
      'eval',
      'compare',
      out,
      out,
      '--resamples',
      '200',
      '--fail-under',
      'screening.isFailure.f1=1.01',
      '--fail-under',
      'taxonomy.mean.exact=0',
    );
    expect(gate.code).toBe(2);
    expect(gate.stdout).toContain('prompt hashes: the same for every task in A and B');
    expect(gate.stdout).toMatch(/BELOW THRESHOLD\s+screening\.isFailure\.f1/);
    expect(gate.stdout).not.toMatch(/BELOW THRESHOLD\s+taxonomy/);
  });

  it('records what each task asked with, and compare names the tasks whose prompts differ', () => {
    expect(Object.keys(metrics.run.prompts!)).toEqual(['screen', 'group', 'extract', 'classify']);
    expect(readFileSync(join(out, 'summary.md'), 'utf8')).toContain(`classify ${metrics.run.prompts!.classify.slice(0, 8)}`);
    const run = (prompts: Scorecard['run']['prompts']) => ({ dir: 'x', items: {}, scorecard: { run: { prompts } } }) as unknown as EvalRun;
    const a = run({ screen: 's1', group: 'g1', extract: 'e1', classify: 'c1aaaaaaaaaa' });
    const b = run({ screen: 's1', group: 'g1', extract: 'e1', classify: 'c2bbbbbbbbbb' });
    expect(promptChanges(a, b)).toEqual(['prompt hashes differ: classify c1aaaaaa → c2bbbbbb; the same: screen, group, extract']);
    // An eval written before prompts were recorded: nothing is claimed either way.
    expect(promptChanges(run(undefined), b)).toEqual([]);
  });

  it('Ctrl-C stops the eval with nothing scored, and the same eval then resumes to the same scores', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'failscope-eval-int-'));
    const gold = await loadGold(SAMPLE);
    const stop = new AbortController();
    let extracted = 0;
    const settings = { backend: 'offline', model: 'shipped', concurrency: 2, cache: true };
    const at = (store: Store) => ({ store, goldDb: join(dir, 'gold-incidents.db'), backend: new OfflineBackend(), settings });
    const store = new Store(join(dir, 'pipeline.db'));
    try {
      const interrupted = evaluate(gold, dir, {
        ...at(store),
        // A Ctrl-C heard after the third incident is extracted, end to end.
        onEvent: (e) => {
          if (e.type === 'job' && e.stage === 'extract' && e.state === 'done' && ++extracted === 3) stop.abort();
        },
        signal: stop.signal,
      });
      await expect(interrupted).rejects.toBeInstanceOf(EvalInterrupted);
      expect(existsSync(join(dir, 'metrics.json'))).toBe(false);
      expect(store.runs.list().map((r) => r.status)).toEqual(['interrupted']);
      const kept = store.jobs.counts().extract?.done ?? 0;
      expect(kept).toBeGreaterThanOrEqual(3);
      const resumed = await evaluate(gold, dir, at(store));
      expect(resumed.scorecard.headline).toEqual(metrics.headline);
    } finally {
      store.close();
    }
  });
});

describe('gold loading', () => {
  it('reports bad lines by file and line, and keeps the rest', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'failscope-gold-'));
    const ok = {
      id: 'g-1',
      headline: 'Ticket machines stop',
      text: 'The ticket machines at the depot stopped after an update.',
      gold: { isFailure: true, analyzable: true, incidentId: 'gi-1' },
    };
    writeFileSync(join(dir, 'articles.jsonl'), `${JSON.stringify(ok)}\n{not json\n${JSON.stringify({ id: 'g-2', gold: {} })}\n`);
    writeFileSync(
      join(dir, 'incidents.jsonl'),
      `${JSON.stringify({ id: 'gi-1', articleIds: ['g-1'], gold: { postmortem: {}, taxonomy: {} } })}\n${JSON.stringify({ id: 'gi-2', articleIds: ['g-9'], gold: { postmortem: {}, taxonomy: {} } })}\n`,
    );
    const g = await loadGold(dir);
    expect(g.articles.map((a) => a.id)).toEqual(['g-1']);
    expect(g.incidents.map((i) => i.id)).toEqual(['gi-1']);
    expect(g.problems.map((p) => p.origin)).toEqual([
      `${join(dir, 'articles.jsonl')}:2`,
      `${join(dir, 'articles.jsonl')}:3`,
      `${join(dir, 'incidents.jsonl')}:2`,
    ]);
    expect(g.problems[2].reason).toMatch(/g-9/);
  });

  it('names each incident it leaves out by its line: a repeated id, missing articles, articles another incident holds', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'failscope-gold-'));
    const article = (id: string) => ({ id, text: 'The ticket machines stopped after an update.', gold: { isFailure: true } });
    writeFileSync(join(dir, 'articles.jsonl'), ['a1', 'a2', 'a1'].map((id) => JSON.stringify(article(id))).join('\n'));
    const gold = { postmortem: {}, taxonomy: {} };
    const incidents = [
      { id: 'i1', articleIds: ['a1'], gold },
      { id: 'i2', articleIds: ['a9'], gold },
      { id: 'i3', articleIds: ['a8'], gold },
      { id: 'i1', articleIds: ['a2'], gold },
      { id: 'i4', articleIds: ['a1', 'a2'], gold },
    ];
    writeFileSync(join(dir, 'incidents.jsonl'), incidents.map((x) => JSON.stringify(x)).join('\n'));
    const g = await loadGold(dir);
    expect(g.incidents.map((i) => i.id)).toEqual(['i1']);
    const at = (file: string, line: number) => `${join(dir, file)}:${line}`;
    expect(g.problems).toEqual([
      { origin: at('articles.jsonl', 3), reason: 'article id "a1" appears twice; it is left out' },
      { origin: at('incidents.jsonl', 2), reason: 'incident "i2" names articles not in articles.jsonl (a9); it is left out' },
      { origin: at('incidents.jsonl', 3), reason: 'incident "i3" names articles not in articles.jsonl (a8); it is left out' },
      { origin: at('incidents.jsonl', 4), reason: 'incident id "i1" appears twice; it is left out' },
      { origin: at('incidents.jsonl', 5), reason: 'incident "i4" shares articles with "i1" (a1); it is left out' },
    ]);
  });

  it('names the missing file', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'failscope-gold-')), 'empty');
    mkdirSync(dir);
    await expect(loadGold(dir)).rejects.toThrow(/articles\.jsonl: not found/);
  });

  it("given an eval's output in place of its gold, names the gold it scored", async () => {
    // An eval's output holds metrics.json, which names its gold.
    const out = mkdtempSync(join(tmpdir(), 'failscope-gold-'));
    writeFileSync(join(out, 'metrics.json'), JSON.stringify({ goldSet: { dir: SAMPLE } }));
    await expect(loadGold(out)).rejects.toThrow(`${out} is the output of an eval of the gold in ${SAMPLE}`);
  });
});
