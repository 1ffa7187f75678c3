import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { POSTMORTEM_FIELDS } from '../schemas/index.ts';
import type { GoldIncident } from '../schemas/index.ts';
import { readArticle } from '../pipeline/backends/offline/evidence.ts';
import { type ExtractionTrace, traceExtraction } from '../pipeline/backends/offline/extract.ts';
import { OfflineBackend } from '../pipeline/backends/offline/index.ts';
import { TUNING } from '../pipeline/backends/offline/tuning.ts';
import { CrossFitBackend, crossFitted } from './crossfit.ts';
import { factMatches, splitFacts } from './facts.ts';
import { type GoldSet, articlesOf, loadGold } from './gold.ts';
import { countShare, markdownTable } from './summary.ts';

/**
 * Where the offline backend loses gold facts, field by field: how many of them some candidate could
 * state at all (the most extraction could recall), how many the field's model ranks among its top
 * candidates, how many clear the field's threshold, how many survive each statement going to the one
 * field it fits best, and how many the record lists. Each count uses the eval's matching rule
 * (facts.ts), so the last one is the eval's recall. The time field comes from the calendar
 * (timeline.ts), not from candidates: only its record count is given.
 *
 *   node bin/run-ts.js evals/fact-funnel.ts ../shared/benchmarks/fail
 *
 * Like the eval, it cross-fits when the model learned from the gold set being read.
 */
export const STAGES = ['stateable', 'ranked', 'overThreshold', 'kept', 'recorded'] as const;
type Stage = (typeof STAGES)[number];

export type FieldFunnel = { gold: number; facts: number; factsMatching: number } & Record<Stage, number | null>;
export type Funnel = Record<(typeof POSTMORTEM_FIELDS)[number], FieldFunnel>;

const { maxFacts } = TUNING.settings.extraction;

const empty = (): FieldFunnel => ({ gold: 0, facts: 0, factsMatching: 0, ...Object.fromEntries(STAGES.map((s) => [s, 0])) }) as FieldFunnel;

/** One incident's funnel: its gold postmortem against what extraction weighed (`trace`). */
export function funnelOf(trace: ExtractionTrace, gold: GoldIncident['gold']['postmortem']): Funnel {
  const out = {} as Funnel;
  for (const field of POSTMORTEM_FIELDS) {
    const facts = splitFacts(gold[field]);
    const said = (texts: readonly string[]) => facts.filter((g) => texts.some((t) => factMatches(g, t))).length;
    const recordTexts = trace.postmortem[field].map((f) => f.text);
    const row: FieldFunnel = {
      ...empty(),
      gold: facts.length,
      recorded: said(recordTexts),
      facts: recordTexts.length,
      factsMatching: recordTexts.filter((t) => facts.some((g) => factMatches(g, t))).length,
    };
    if (field === 'time') out[field] = { ...row, stateable: null, ranked: null, overThreshold: null, kept: null };
    else {
      const span = (o: ExtractionTrace['scored'][number]) => o.c.spans[field]!.text;
      const scored = trace.scored.filter((o) => o.field === field).sort((a, b) => b.p - a.p);
      // The field's best distinct spans, as many as its record may list.
      const top = [...new Set(scored.map(span))].slice(0, maxFacts[field]);
      out[field] = {
        ...row,
        stateable: said(scored.map(span)),
        ranked: said(top),
        overThreshold: said(trace.options.filter((o) => o.field === field).map(span)),
        kept: said(trace.kept.filter((o) => o.field === field).map(span)),
      };
    }
  }
  return out;
}

export function addFunnels(funnels: readonly Funnel[]): Funnel {
  const out = Object.fromEntries(POSTMORTEM_FIELDS.map((f) => [f, empty()])) as Funnel;
  for (const f of funnels)
    for (const field of POSTMORTEM_FIELDS) {
      const into = out[field],
        add = f[field];
      into.gold += add.gold;
      into.facts += add.facts;
      into.factsMatching += add.factsMatching;
      for (const s of STAGES) into[s] = into[s] === null || add[s] === null ? null : into[s]! + add[s]!;
    }
  return out;
}

/** The funnel over a gold set's incidents, each read by a model that never saw its labels. */
export async function factFunnel(gold: GoldSet, backend: OfflineBackend, log?: (line: string) => void): Promise<Funnel> {
  const { backend: b } = await crossFitted(backend, gold, { log });
  const articles = articlesOf(gold);
  return addFunnels(
    gold.incidents.map((inc) => {
      const own = b instanceof CrossFitBackend ? b.versionFor(inc.id) : b;
      if (!(own instanceof OfflineBackend)) throw new Error('the fact funnel reads the offline backend only');
      const docs = articles(inc).map(readArticle);
      return funnelOf(traceExtraction(docs, own.loaded.model), inc.gold.postmortem);
    }),
  );
}

const ratio = (a: number | null, b: number) => (a === null ? '—' : countShare(a, b));

/** The funnel as a Markdown table, with its totals (recall and precision as the eval computes them). */
export function funnelTable(f: Funnel): string {
  const headers = [
    'field',
    'gold facts',
    'some candidate states',
    'in the top by probability',
    'over threshold',
    'kept',
    'in the record',
    'precision',
  ];
  const share = (a: number, b: number) => `${a}/${b} (${(a / Math.max(1, b)).toFixed(2)})`;
  const rows = POSTMORTEM_FIELDS.map((field) => {
    const r = f[field];
    return [field, `${r.gold}`, ...STAGES.map((s) => ratio(r[s], r.gold)), r.facts ? share(r.factsMatching, r.facts) : '—'];
  });
  const all = Object.values(f);
  const sum = (k: 'gold' | 'facts' | 'factsMatching' | 'recorded') => all.reduce((n, r) => n + (r[k] ?? 0), 0);
  rows.push(['all', `${sum('gold')}`, '', '', '', '', ratio(sum('recorded'), sum('gold')), share(sum('factsMatching'), sum('facts'))]);
  return markdownTable({ headers, rows });
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const dir = process.argv[2];
  if (!dir) {
    console.error('usage: node bin/run-ts.js evals/fact-funnel.ts <gold folder> [model file]');
    process.exit(2);
  }
  try {
    const gold = await loadGold(dir);
    for (const p of gold.problems) console.error(`${p.origin}: ${p.reason}`);
    const backend = new OfflineBackend({ modelFile: process.argv[3] });
    const funnel = await factFunnel(gold, backend, (line) => console.error(line));
    await backend.close();
    console.log(funnelTable(funnel));
  } catch (e) {
    // The messages name the file at fault; a stack trace would bury them.
    console.error(`fact-funnel: ${(e as Error).message}`);
    process.exit(2);
  }
}
