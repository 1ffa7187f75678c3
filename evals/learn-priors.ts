/**
 * Learns the offline backend's fallback labels from the project's own gold (data/sample), never from
 * the benchmarks: per dimension, the most frequent option set and how often it held. The offline
 * backend uses a prior only where the articles carry no evidence, with a low confidence, so the
 * review queue puts those labels first.
 *
 *   node bin/run-ts.js evals/learn-priors.ts [data/sample/incidents.jsonl]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { GoldIncident, TAXONOMY, UNKNOWN } from '../schemas/index.ts';

const file = process.argv[2] ?? 'data/sample/incidents.jsonl';
const incidents = readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).map((l) => GoldIncident.parse(JSON.parse(l)));
const priors: Record<string, { options: string[]; share: number }> = {};
for (const dim of TAXONOMY) {
  const counts = new Map<string, number>();
  let n = 0;
  for (const inc of incidents) {
    const gold = inc.gold.taxonomy[dim.key as keyof typeof inc.gold.taxonomy];
    if (!gold) continue;
    n++;
    const key = dim.options.map((o) => o.key).filter((k) => gold.includes(k)).join(',') || UNKNOWN;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const [best, count] = [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0] ?? [UNKNOWN, 0];
  priors[dim.key] = { options: best.split(','), share: n ? Number((count / n).toFixed(3)) : 0 };
}
const out = new URL('../pipeline/backends/offline/priors.json', import.meta.url);
writeFileSync(out, `${JSON.stringify({ learnedFrom: file, incidents: incidents.length, priors }, null, 2)}\n`);
console.log(`wrote ${out.pathname} from ${incidents.length} incidents`);
