/**
 * How far two annotators agree on the taxonomy: a second, independent labelling of some incidents
 * against the gold of the training corpus. Its exact-set agreement is the ceiling a labeller (or a
 * model) trained on these labels can be expected to reach.
 *
 *   node bin/run-ts.js evals/agreement.ts data/train/agreement/second-annotator.jsonl [gold dir ...]
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { GoldIncident, TAXONOMY } from '../schemas/index.ts';
import { exactSet, jaccard } from './metrics/sets.ts';
import { loadGold } from './gold.ts';

const Second = z.object({ id: z.string(), taxonomy: GoldIncident.shape.gold.shape.taxonomy });

/** The report's lines: one per dimension both annotators labelled, then the mean. */
export async function agreement(file: string, dirs: readonly string[]): Promise<string[]> {
  const gold = new Map((await Promise.all(dirs.map((d) => loadGold(d)))).flatMap((s) => s.incidents).map((i) => [i.id, i]));
  const second = readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l, n) => {
      const parsed = Second.safeParse(JSON.parse(l));
      if (!parsed.success) throw new Error(`${file}:${n + 1}: ${parsed.error.issues[0]?.message}`);
      return parsed.data;
    });

  const rows: string[] = [];
  let exactSum = 0,
    jacSum = 0,
    dims = 0;
  for (const dim of TAXONOMY) {
    const pairs = second.flatMap((s) => {
      const a = s.taxonomy[dim.key as keyof typeof s.taxonomy];
      const b = gold.get(s.id)?.gold.taxonomy[dim.key as keyof typeof s.taxonomy];
      // IoT layers are compared where both annotators judged the system cyber-physical.
      return a && b ? [[a, b] as const] : [];
    });
    if (pairs.length === 0) continue;
    const exact = pairs.filter(([a, b]) => exactSet(a, b)).length / pairs.length;
    const jac = pairs.reduce((acc, [a, b]) => acc + jaccard(a, b), 0) / pairs.length;
    exactSum += exact;
    jacSum += jac;
    dims++;
    rows.push(`${dim.key.padEnd(14)} n=${String(pairs.length).padStart(3)}  exact ${exact.toFixed(3)}  jaccard ${jac.toFixed(3)}`);
  }
  rows.push(
    `mean over ${dims} dimensions: exact ${(exactSum / dims).toFixed(3)}, jaccard ${(jacSum / dims).toFixed(3)} (${second.length} incidents)`,
  );
  return rows;
}

if (resolve(process.argv[1] ?? '') === import.meta.filename) {
  const [file, ...rest] = process.argv.slice(2);
  if (!file) throw new Error('usage: evals/agreement.ts <second-annotator.jsonl> [gold dir ...]');
  const dirs = rest.length ? rest : readdirSync('data/train/parts').map((d) => join('data/train/parts', d));
  console.log((await agreement(file, dirs)).join('\n'));
}
