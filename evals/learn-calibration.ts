/**
 * Learns the offline backend's fallback labels from the project's own gold (data/sample), never from
 * the benchmarks: per dimension, the most frequent option set and how often it held. The offline
 * backend uses a prior only where the articles carry no evidence, with a low confidence, so the
 * review queue puts those labels first.
 *
 *   node bin/run-ts.js evals/learn-priors.ts [data/sample/incidents.jsonl]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { GoldArticle, GoldIncident, TAXONOMY, UNKNOWN } from '../schemas/index.ts';
import { toArticle } from '../pipeline/ingest/article.ts';

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
const save = (calibration: { a: number; b: number }) =>
  writeFileSync(out, `${JSON.stringify({ learnedFrom: file, incidents: incidents.length, priors, calibration }, null, 2)}\n`);
save({ a: 1, b: 0 });

/*
 * Platt scaling of the classifier's raw confidence, on the same sample: label confidence then reads as
 * the chance the label is exactly right. Loaded after the priors are written, since labels use them.
 */
const { classifyDocs, rawConfidences } = await import('../pipeline/backends/offline/classify.ts');
const { readArticle } = await import('../pipeline/backends/offline/evidence.ts');
const articles = new Map(readFileSync(file.replace(/incidents\.jsonl$/, 'articles.jsonl'), 'utf8').split('\n').filter((l) => l.trim())
  .map((l) => GoldArticle.parse(JSON.parse(l))).map((g) => [g.id, toArticle({ ...g, origin: 'sample' })]));
const points: [number, number][] = [];
for (const inc of incidents) {
  const labels = rawConfidences(() => classifyDocs(inc.articleIds.map((id) => readArticle(articles.get(id)!))));
  for (const l of labels) {
    const gold = inc.gold.taxonomy[l.dimension as keyof typeof inc.gold.taxonomy];
    if (!gold) continue;
    points.push([l.confidence, gold.length === l.options.length && gold.every((o) => l.options.includes(o)) ? 1 : 0]);
  }
}
let a = 1, b = 0;
for (let step = 0; step < 5000; step++) {
  let ga = 0, gb = 0;
  for (const [x, y] of points) { const p = 1 / (1 + Math.exp(-(a * x + b))); ga += (p - y) * x; gb += p - y; }
  a -= 0.5 * ga / points.length; b -= 0.5 * gb / points.length;
}
save({ a: Number(a.toFixed(4)), b: Number(b.toFixed(4)) });
console.log(`wrote ${out.pathname} from ${incidents.length} incidents; calibration a=${a.toFixed(3)} b=${b.toFixed(3)} over ${points.length} labels`);
