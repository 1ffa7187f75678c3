import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GoldSet } from './gold.ts';
import { type HarnessOptions, runHarness } from './harness.ts';
import { buildItems } from './items.ts';
import { type Scorecard, buildScorecard } from './scorecard.ts';
import { writePredictions } from './predictions.ts';
import { renderSummary } from './summary.ts';

export const METRICS_FILE = 'metrics.json';
export const ITEMS_FILE = 'items.json';
export const SUMMARY_FILE = 'summary.md';
export const REPORT_FILE = 'report.html';

export interface EvalResult {
  scorecard: Scorecard;
  files: string[];
}

/** Runs the pipeline on a gold set, scores every stage and writes the outputs into `outDir`. */
export async function evaluate(gold: GoldSet, outDir: string, opts: HarnessOptions): Promise<EvalResult> {
  mkdirSync(outDir, { recursive: true });
  const h = await runHarness(gold, opts);
  const items = buildItems(gold, h);
  const scorecard = buildScorecard(gold, h, items);
  const preds = writePredictions(outDir, gold, h);
  const files = [preds.articles, preds.incidents];
  const write = (name: string, text: string) => {
    const f = join(outDir, name);
    writeFileSync(f, text);
    files.push(f);
  };
  write(ITEMS_FILE, `${JSON.stringify({ version: 1, goldSet: scorecard.goldSet.name, producer: h.producer, items })}\n`);
  write(METRICS_FILE, `${JSON.stringify(scorecard, null, 2)}\n`);
  write(SUMMARY_FILE, renderSummary(scorecard));
  // Loaded here, not at the top: vega is heavy, and every CLI command would otherwise start with it in memory.
  const { renderReport } = await import('./report.ts');
  write(REPORT_FILE, await renderReport(scorecard, { items, gold, predicted: h.incidents }));
  return { scorecard, files };
}
