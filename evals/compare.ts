import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Items } from './items.ts';
import type { Scorecard } from './scorecard.ts';
import { METRICS, type MetricDef } from './score.ts';
import { type DeltaInterval, pairedBootstrap } from './metrics/bootstrap.ts';
import { ITEMS_FILE, METRICS_FILE } from './eval.ts';

export interface EvalRun {
  dir: string;
  scorecard: Scorecard;
  items: Items;
}

export function loadRun(dir: string): EvalRun {
  const read = (name: string) => {
    const f = join(dir, name);
    if (!existsSync(f)) throw new Error(`${f}: not found (is ${dir} the output directory of failscope eval?)`);
    try {
      return JSON.parse(readFileSync(f, 'utf8'));
    } catch (e) {
      throw new Error(`${f}: ${(e as Error).message}`);
    }
  };
  const scorecard = read(METRICS_FILE) as Scorecard;
  const items = (read(ITEMS_FILE) as { items: Items }).items;
  if (!items?.screening || !items.grouping) throw new Error(`${join(dir, ITEMS_FILE)}: not a failscope eval items file`);
  return { dir, scorecard, items };
}

/**
 * Why two evals cannot be compared, or null: deltas are only meaningful over the same gold. Evals written
 * before the gold's hash was recorded are matched by the gold directory's name.
 */
export function goldMismatch(a: EvalRun, b: EvalRun): string | null {
  const ga = a.scorecard.goldSet,
    gb = b.scorecard.goldSet;
  if (ga.name !== gb.name) return `they scored different gold sets: ${ga.name} (${ga.dir}) and ${gb.name} (${gb.dir})`;
  if (ga.hash && gb.hash && ga.hash !== gb.hash)
    return `they scored different versions of gold set ${ga.name} (${ga.dir} and ${gb.dir} differ in content)`;
  return null;
}

export interface MetricDelta extends DeltaInterval {
  key: string;
  lowerIsBetter: boolean;
  /** The interval lies wholly on one side of zero. */
  verdict: 'better' | 'worse' | 'no clear change' | 'n/a';
}

/** Pairs the two runs' units by id; units only one run has are left out (and counted). */
function paired(m: MetricDef, a: Items, b: Items): { ua: { id: string }[]; ub: { id: string }[]; dropped: number } {
  const ua = m.units(a),
    ub = new Map(m.units(b).map((u) => [u.id, u]));
  const keep = ua.filter((u) => ub.has(u.id));
  return { ua: keep, ub: keep.map((u) => ub.get(u.id)!), dropped: ua.length - keep.length + (ub.size - keep.length) };
}

/**
 * Per-metric deltas (B − A) with paired-bootstrap 95% intervals over the units both runs scored.
 * The generator is seeded, so the same two runs always give the same intervals.
 */
export function compareRuns(
  a: EvalRun,
  b: EvalRun,
  opts: { resamples?: number; seed?: number } = {},
): { deltas: MetricDelta[]; unpaired: number } {
  let unpaired = 0;
  const deltas = METRICS.map((m) => {
    const { ua, ub, dropped } = paired(m, a.items, b.items);
    unpaired = Math.max(unpaired, dropped);
    const d = pairedBootstrap(ua as never[], ub as never[], m.stat, opts);
    const lower = !!m.lowerIsBetter;
    let verdict: MetricDelta['verdict'] = 'n/a';
    if (d.delta !== null) {
      verdict = 'no clear change';
      if (d.lo !== null && d.hi !== null && (d.lo > 0 || d.hi < 0)) verdict = d.lo > 0 !== lower ? 'better' : 'worse';
    }
    return { key: m.key, lowerIsBetter: lower, verdict, ...d };
  });
  return { deltas, unpaired };
}

export interface Threshold {
  key: string;
  value: number;
}

export function parseThreshold(s: string): Threshold {
  const m = /^([\w.]+)=(-?\d+(?:\.\d+)?)$/.exec(s.trim());
  if (!m) throw new Error(`--fail-under "${s}": expected metric=value, e.g. taxonomy.mean.exact=0.5`);
  if (!METRICS.some((x) => x.key === m[1]))
    throw new Error(`--fail-under "${s}": unknown metric "${m[1]}" (see the metric names that eval compare prints)`);
  return { key: m[1], value: Number(m[2]) };
}

/**
 * A threshold is missed when run B's value is below it (above it, for a lower-is-better metric such
 * as ECE), or when B has no value for it.
 */
export function missedThresholds(
  deltas: readonly MetricDelta[],
  thresholds: readonly Threshold[],
): { key: string; value: number | null; threshold: number }[] {
  return thresholds.flatMap((t) => {
    const d = deltas.find((x) => x.key === t.key)!;
    const v = d.b;
    const missed = v === null || (d.lowerIsBetter ? v > t.value : v < t.value);
    return missed ? [{ key: t.key, value: v, threshold: t.value }] : [];
  });
}

const f = (v: number | null, sign = false) => (v === null ? '—' : `${sign && v >= 0 ? '+' : ''}${v.toFixed(3)}`);

/**
 * Which tasks asked differently in B (prompts, examples, the offline model): what a prompt comparison is
 * about, so it is said before the figures. Nothing is said for evals that did not record it.
 */
export function promptChanges(a: EvalRun, b: EvalRun): string[] {
  const pa = a.scorecard.run.prompts,
    pb = b.scorecard.run.prompts;
  if (!pa || !pb) return [];
  const tasks = Object.keys(pb) as (keyof typeof pb)[];
  const changed = tasks.filter((t) => pa[t] !== pb[t]);
  if (!changed.length) return ['prompt hashes: the same for every task in A and B'];
  const same = tasks.filter((t) => pa[t] === pb[t]);
  return [
    `prompt hashes differ: ${changed.map((t) => `${t} ${pa[t]?.slice(0, 8) ?? '—'} → ${pb[t].slice(0, 8)}`).join(', ')}${same.length ? `; the same: ${same.join(', ')}` : ''}`,
  ];
}

export function renderComparison(a: EvalRun, b: EvalRun, deltas: readonly MetricDelta[], opts: { all?: boolean } = {}): string {
  // Without --all: the summary metrics (means, headline F1/V, per-dimension exact match, per-field recall).
  const core =
    /^(screening\.\w+\.f1|grouping\.\w+\.vMeasure|taxonomy\.mean\.\w+|taxonomy\.\w+\.exact|postmortem\.\w+\.recall|postmortem\.all\.\w+|citations\.verified|calibration\.\w+\.ece)$/;
  const rows = deltas.filter((d) => d.delta !== null && (opts.all || core.test(d.key)));
  const w = Math.max(...rows.map((r) => r.key.length), 6);
  const lines = [
    `A: ${a.dir} (${a.scorecard.run.backend}, ${a.scorecard.run.model}, ${a.scorecard.goldSet.name})`,
    `B: ${b.dir} (${b.scorecard.run.backend}, ${b.scorecard.run.model}, ${b.scorecard.goldSet.name})`,
    ...promptChanges(a, b),
    '',
    `${'metric'.padEnd(w)}  ${'A'.padStart(6)}  ${'B'.padStart(6)}  ${'B − A'.padStart(7)}  ${'95% interval'.padEnd(19)}  verdict`,
    ...rows.map(
      (d) =>
        `${d.key.padEnd(w)}  ${f(d.a).padStart(6)}  ${f(d.b).padStart(6)}  ${f(d.delta, true).padStart(7)}  ${`[${f(d.lo, true)}, ${f(d.hi, true)}]`.padEnd(19)}  ${d.verdict}`,
    ),
  ];
  return `${lines.join('\n')}\n`;
}
