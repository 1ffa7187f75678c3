import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { POSTMORTEM_FIELDS } from '../schemas/index.ts';
import { toArticle } from '../pipeline/ingest/article.ts';
import { readArticle } from '../pipeline/backends/offline/evidence.ts';
import { extractPostmortem, traceExtraction } from '../pipeline/backends/offline/extract.ts';
import { OfflineBackend } from '../pipeline/backends/offline/index.ts';
import { STAGES, factFunnel, funnelOf, funnelTable } from '../evals/fact-funnel.ts';
import { matchFacts, splitFacts } from '../evals/facts.ts';
import { loadGold } from '../evals/gold.ts';
import { ROOT } from './cli-runner.ts';

describe('fact funnel: where the offline backend loses gold facts', () => {
  it('narrows stage by stage, and ends at what the eval scores', async () => {
    const gold = await loadGold('data/sample');
    const backend = new OfflineBackend({});
    const funnel = await factFunnel(gold, backend);
    await backend.close();
    // The eval's own count, from the records extraction writes.
    const byId = new Map(gold.articles.map((a) => [a.id, a]));
    const scored = Object.fromEntries(POSTMORTEM_FIELDS.map((f) => [f, { gold: 0, matchedGold: 0, predicted: 0, matchedPredicted: 0 }]));
    for (const inc of gold.incidents) {
      const pm = extractPostmortem(inc.articleIds.map((id) => readArticle(toArticle({ ...byId.get(id)!, origin: 'sample' }))));
      for (const f of POSTMORTEM_FIELDS) {
        const m = matchFacts(
          splitFacts(inc.gold.postmortem[f]),
          pm[f].map((x) => x.text),
        );
        for (const k of ['gold', 'matchedGold', 'predicted', 'matchedPredicted'] as const) scored[f]![k] += m[k];
      }
    }
    for (const f of POSTMORTEM_FIELDS) {
      const r = funnel[f];
      expect([r.gold, r.recorded, r.facts, r.factsMatching]).toEqual([
        scored[f]!.gold,
        scored[f]!.matchedGold,
        scored[f]!.predicted,
        scored[f]!.matchedPredicted,
      ]);
      if (f === 'time') continue;
      // What clears the threshold was a candidate; what is kept cleared it; the record lists what was kept.
      expect(r.stateable!).toBeLessThanOrEqual(r.gold);
      expect(r.overThreshold!).toBeLessThanOrEqual(r.stateable!);
      expect(r.kept!).toBeLessThanOrEqual(r.overThreshold!);
      expect(r.recorded!).toBeLessThanOrEqual(r.kept!);
    }
    // Candidates could state most of the sample's causes: the funnel tells ranking losses from missing candidates.
    expect(funnel.softwareCauses.stateable!).toBeGreaterThan(funnel.softwareCauses.recorded!);
    const table = funnelTable(funnel);
    expect(table.split('\n')).toHaveLength(POSTMORTEM_FIELDS.length + 3);
    expect(table).toContain(`| all | ${POSTMORTEM_FIELDS.reduce((n, f) => n + funnel[f].gold, 0)} |`);
  });

  it('counts a gold fact as stateable when a sentence states it, and as lost where it is lost', () => {
    const text =
      'Acme Pay went offline for six hours on Monday. The outage was caused by an expired certificate on its payment gateway. ' +
      'Shops could not take card payments all morning. Engineers renewed the certificate that afternoon.';
    const doc = readArticle(toArticle({ id: 'a1', headline: 'Acme Pay outage', text, origin: 'test' }));
    const trace = traceExtraction([doc]);
    const gold = Object.fromEntries(POSTMORTEM_FIELDS.map((f) => [f, null])) as Parameters<typeof funnelOf>[1];
    gold.softwareCauses = '1. an expired certificate on the payment gateway';
    gold.fixes = '1. a rollback of the database schema to the previous release';
    const f = funnelOf(trace, gold);
    expect(f.softwareCauses.gold).toBe(1);
    expect(f.softwareCauses.stateable).toBe(1);
    // No sentence says anything of a rollback: lost before any model weighs it.
    expect(f.fixes.gold).toBe(1);
    for (const s of STAGES) expect(f.fixes[s]).toBe(0);
    expect(f.time.stateable).toBeNull();
  });

  it('names the missing gold folder or model file in one line, and exits with 2', () => {
    const run = (...args: string[]) =>
      spawnSync(process.execPath, [join(ROOT, 'bin', 'run-ts.js'), 'evals/fact-funnel.ts', ...args], { cwd: ROOT, encoding: 'utf8' });
    const noGold = run('no-such-gold');
    expect(noGold.status).toBe(2);
    expect(noGold.stderr.trim()).toMatch(/^fact-funnel: .*no-such-gold\/articles\.jsonl: not found/);
    expect(noGold.stderr.trim().split('\n')).toHaveLength(1);
    const noModel = run('data/sample', 'no-such-model.json');
    expect(noModel.status).toBe(2);
    expect(noModel.stderr.trim()).toMatch(/^fact-funnel: .*no-such-model\.json: cannot read the offline model/);
  });
});
