/**
 * Learns how far to trust the offline backend's labels, from the project's own gold (data/sample) and
 * never from the benchmarks. Two parts, so that confidence reads as the chance a label is exactly right:
 * - per dimension, how often the backend's label was right on the sample (Laplace-smoothed), since some
 *   dimensions are much harder than others;
 * - Platt scaling of the raw evidence strength, for how sure each single label is.
 * The labels themselves never use the sample: this only sets their confidence.
 *
 *   node bin/run-ts.js evals/learn-calibration.ts [gold dir, default data/sample]
 */
import { writeFileSync } from 'node:fs';
import { toArticle } from '../pipeline/ingest/article.ts';
import { classifyDocs, rawConfidences } from '../pipeline/backends/offline/classify.ts';
import { readArticle } from '../pipeline/backends/offline/evidence.ts';
import { loadGold } from './gold.ts';

const dir = process.argv[2] ?? 'data/sample';
const { incidents, articles: goldArticles } = await loadGold(dir);
const articles = new Map(goldArticles.map((g) => [g.id, toArticle({ ...g, origin: 'sample' })]));

const points: [number, number, string][] = [];
for (const inc of incidents) {
  const labels = rawConfidences(() => classifyDocs(inc.articleIds.map((id) => readArticle(articles.get(id)!))));
  for (const l of labels) {
    const gold = inc.gold.taxonomy[l.dimension as keyof typeof inc.gold.taxonomy];
    if (!gold) continue;
    points.push([l.confidence, gold.length === l.options.length && gold.every((o) => l.options.includes(o)) ? 1 : 0, l.dimension]);
  }
}
const dimensions: Record<string, number> = {};
for (const d of new Set(points.map((p) => p[2]))) {
  const ys = points.filter((p) => p[2] === d).map((p) => p[1]);
  dimensions[d] = Number(((ys.reduce((a, b) => a + b, 0) + 1) / (ys.length + 2)).toFixed(3));
}
let a = 1, b = 0;
for (let step = 0; step < 5000; step++) {
  let ga = 0, gb = 0;
  for (const [x, y] of points) { const p = 1 / (1 + Math.exp(-(a * x + b))); ga += (p - y) * x; gb += p - y; }
  a -= 0.5 * ga / points.length; b -= 0.5 * gb / points.length;
}
const out = new URL('../pipeline/backends/offline/calibration.json', import.meta.url);
writeFileSync(out, `${JSON.stringify({ learnedFrom: dir, incidents: incidents.length, labels: points.length, platt: { a: Number(a.toFixed(4)), b: Number(b.toFixed(4)) }, dimensions }, null, 2)}\n`);
console.log(`wrote ${out.pathname}: ${points.length} labels of ${incidents.length} incidents; platt a=${a.toFixed(3)} b=${b.toFixed(3)}`);
