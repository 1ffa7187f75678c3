import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type GoldProblem, readJsonl } from './gold.ts';
import { Judgement, keyOf } from './evidence-audit.ts';
import { countShare, markdownTable } from './summary.ts';

/**
 * How far two judges of the evidence quotes agree. The audit's "not supporting" share is one judge's
 * reading; a second judge's reading of the same quotes shows how much of it is the judge. Quotes are
 * paired by incident, dimension, option and sentence (text or hash alike); Cohen's kappa discounts the
 * agreement two judges would reach by chance, which is high when nearly every quote supports.
 *
 *   node bin/run-ts.js evals/judge-agreement.ts <first.jsonl> <second.jsonl>
 */
export interface Agreement {
  dimension: string;
  /** Quotes both judges judged. */
  both: number;
  agree: number;
  /** Judged not to support, by the first and by the second judge. */
  firstNot: number;
  secondNot: number;
  kappa: number | null;
}

function agreementOf(dimension: string, pairs: readonly (readonly [boolean, boolean])[]): Agreement {
  const n = pairs.length;
  const agree = pairs.filter(([a, b]) => a === b).length;
  const firstNot = pairs.filter(([a]) => !a).length,
    secondNot = pairs.filter(([, b]) => !b).length;
  const observed = agree / n;
  const chance = ((n - firstNot) * (n - secondNot) + firstNot * secondNot) / (n * n);
  return { dimension, both: n, agree, firstNot, secondNot, kappa: n && chance < 1 ? (observed - chance) / (1 - chance) : null };
}

/** Agreement per dimension, then over every quote both judged (last row, `all`). */
export function judgeAgreement(first: readonly Judgement[], second: readonly Judgement[]): Agreement[] {
  const byKey = new Map(first.map((j) => [keyOf(j), j]));
  const pairs = second.flatMap((j) => {
    const f = byKey.get(keyOf(j));
    return f ? [{ dimension: j.dimension, pair: [f.supports, j.supports] as const }] : [];
  });
  const dims = [...new Set(pairs.map((p) => p.dimension))].sort();
  return [
    ...dims.map((d) =>
      agreementOf(
        d,
        pairs.filter((p) => p.dimension === d).map((p) => p.pair),
      ),
    ),
    ...(pairs.length
      ? [
          agreementOf(
            'all',
            pairs.map((p) => p.pair),
          ),
        ]
      : []),
  ];
}

export function agreementTable(rows: readonly Agreement[]): string {
  return markdownTable({
    headers: ['dimension', 'quotes both judged', 'agree', 'not supporting, first judge', 'not supporting, second judge', "Cohen's kappa"],
    rows: rows.map((r) => [
      r.dimension,
      `${r.both}`,
      countShare(r.agree, r.both),
      countShare(r.firstNot, r.both),
      countShare(r.secondNot, r.both),
      r.kappa === null ? '—' : r.kappa.toFixed(2),
    ]),
    strong: [rows.length - 1],
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const files = process.argv.slice(2);
  if (files.length !== 2) {
    console.error('usage: node bin/run-ts.js evals/judge-agreement.ts <first.jsonl> <second.jsonl>');
    process.exit(2);
  }
  try {
    for (const f of files) if (!existsSync(f)) throw new Error(`${f}: not found`);
    const problems: GoldProblem[] = [];
    const [first, second] = await Promise.all(files.map((f) => readJsonl(f, Judgement, problems)));
    for (const p of problems) console.error(`${p.origin}: ${p.reason}`);
    const rows = judgeAgreement(first!, second!);
    if (rows.length === 0) throw new Error(`${files[0]} and ${files[1]} judge no quote in common`);
    console.log(agreementTable(rows));
  } catch (e) {
    console.error(`judge-agreement: ${(e as Error).message}`);
    process.exit(2);
  }
}
