import { basename, join, resolve } from 'node:path';
import { Command } from 'commander';
import { type CommonOptions, EXIT, onCtrlC, open, requireOut, withCommon } from './common.ts';
import { progressSink } from './progress.ts';
import { integer } from './numbers.ts';
import { loadGold } from '../../evals/gold.ts';
import { evaluate } from '../../evals/eval.ts';
import { crossFitted } from '../../evals/crossfit.ts';
import { EvalInterrupted } from '../../evals/interrupted.ts';
import { keyFigures } from '../../evals/tables.ts';
import { compareRuns, goldMismatch, loadRun, missedThresholds, parseThreshold, renderComparison } from '../../evals/compare.ts';

type EvalOptions = CommonOptions & { gold?: string; out?: string; concurrency?: number; cache: boolean; crossFit: boolean; folds?: number };

/** Exit code of `eval compare` when a --fail-under threshold is missed. */
export const EXIT_BELOW_THRESHOLD = 2;

function compareCommand(): Command {
  return withCommon(new Command('compare'))
    .description('per-metric deltas (B − A) between two eval output directories, with paired-bootstrap 95% intervals')
    .argument('<runA>', 'eval output directory (the baseline)')
    .argument('<runB>', 'eval output directory (the candidate)')
    .option(
      '--fail-under <metric=value>',
      "exit 2 when run B's metric is below value (above, for ECE); repeatable",
      (v: string, acc: string[]) => [...acc, v],
      [] as string[],
    )
    .option('--all', 'show every metric, not only the summary ones')
    .option('--resamples <n>', 'bootstrap resamples', integer(1), 1000)
    .option('--seed <n>', 'bootstrap seed', integer(0), 20240607)
    .action(async (runA: string, runB: string, _local: CommonOptions, command: Command) => {
      // --json may land on the parent `eval` command, which takes the common options too.
      const opts = command.optsWithGlobals() as CommonOptions & { failUnder: string[]; all?: boolean; resamples: number; seed: number };
      const thresholds = opts.failUnder.map(parseThreshold);
      const a = loadRun(runA),
        b = loadRun(runB);
      process.stderr.write(
        `failscope · eval compare · A backend ${a.scorecard.run.backend} (${a.scorecard.run.model}) · B backend ${b.scorecard.run.backend} (${b.scorecard.run.model})\n`,
      );
      const mismatch = goldMismatch(a, b);
      if (mismatch) throw new Error(`cannot compare ${runA} and ${runB}: ${mismatch}`);
      const { deltas, unpaired } = compareRuns(a, b, { resamples: opts.resamples, seed: opts.seed });
      if (unpaired) process.stderr.write(`warning: up to ${unpaired} item(s) are in only one run and were left out\n`);
      const missed = missedThresholds(deltas, thresholds);
      if (opts.json) process.stdout.write(`${JSON.stringify({ a: a.dir, b: b.dir, deltas, missed }, null, 2)}\n`);
      else {
        process.stdout.write(renderComparison(a, b, deltas, { all: opts.all }));
        for (const m of missed)
          process.stdout.write(
            `BELOW THRESHOLD  ${m.key} = ${m.value === null ? 'no value' : m.value.toFixed(3)} (required ${m.threshold})\n`,
          );
      }
      process.exitCode = missed.length ? EXIT_BELOW_THRESHOLD : EXIT.ok;
    });
}

export function evalCommand(): Command {
  const cmd = withCommon(new Command('eval'))
    .description(
      'run the pipeline on a gold set in its own database and score every stage (predictions, metrics.json, summary.md, report.html)',
    )
    .option('--gold <dir>', 'gold directory: articles.jsonl and optionally incidents.jsonl (shared benchmarks format)')
    .option('--out <dir>', 'output directory, also holding the eval databases (default eval-out/<gold dir name>)')
    .option('--concurrency <n>', 'jobs in flight at once', integer(1))
    .option('--no-cache', 'do not use cached model responses')
    .option(
      '--folds <k>',
      'cross-fitting folds by incident when the model learned from this gold set (default: one per incident up to 30 incidents, else 10)',
      (v) => Number.parseInt(v, 10),
    )
    .option('--no-cross-fit', 'score with the model as it is even when it learned from this gold set (shows leakage; never for reporting)')
    .action(async (opts: EvalOptions) => {
      if (!opts.gold) throw new Error('eval needs --gold <dir> (or: failscope eval compare <runA> <runB>)');
      const gold = await loadGold(opts.gold);
      const reported = new Set<string>();
      const skipped = (p: { origin: string; reason: string }) => {
        // The gold loader and the eval's ingest read the same articles file: each bad line is named once.
        if (reported.has(p.origin)) return;
        reported.add(p.origin);
        process.stderr.write(`skipped ${p.origin}: ${p.reason}\n`);
      };
      gold.problems.forEach(skipped);
      if (!gold.articles.length)
        throw new Error(`nothing to score: no gold article could be read from ${join(gold.dir, 'articles.jsonl')}`);
      const out = resolve(opts.out ?? join('eval-out', basename(gold.dir)));
      requireOut(out, 'directory');
      // The eval's own stores live in the output directory, so the user's database never sees benchmark articles.
      const db = opts.db ?? join(out, 'pipeline.db');
      const s = await open({ ...opts, db });
      const progress = process.stderr.isTTY && !opts.json ? progressSink({ json: false, bars: true }) : null;
      const stop = onCtrlC('the jobs in flight');
      try {
        // Articles of another set (an eval of it wrote here) would be grouped with this one's and change its scores.
        const inGold = new Set(gold.articles.map((a) => a.id));
        const foreign = [...s.store.articles.hashes({ includeDuplicates: true }).keys()].filter((id) => !inGold.has(id)).sort();
        if (foreign.length)
          throw new Error(
            `${db} holds ${foreign.length} article(s) that are not in the gold set "${gold.name}" (${foreign.slice(0, 3).join(', ')}${foreign.length > 3 ? ', …' : ''}): they would be grouped with its articles and change its scores; give another --out (or --db), or delete that database`,
          );
        const concurrency = opts.concurrency ?? s.config.concurrency;
        const cf = await crossFitted(s.backend, gold, {
          off: !opts.crossFit,
          folds: opts.folds,
          log: (line) => process.stderr.write(`${line}\n`),
          signal: stop.signal,
          cacheDir: join(out, 'folds'),
        });
        const { scorecard, files } = await evaluate(gold, out, {
          store: s.store,
          goldDb: join(out, 'gold-incidents.db'),
          backend: cf.backend,
          learning: { learnedFrom: cf.learned.map((x) => x.dir), crossFit: cf.crossFit },
          settings: { backend: cf.backend.name, model: cf.backend.model, concurrency, cache: opts.cache },
          onEvent: progress?.sink,
          onProblem: skipped,
          signal: stop.signal,
        });
        progress?.stop();
        if (scorecard.run.regrouped)
          process.stderr.write(
            `regrouped ${scorecard.run.regrouped} article(s): ${out} held a grouping made before the model, the grouping method or the articles changed\n`,
          );
        if (opts.json) process.stdout.write(`${JSON.stringify({ out, files, headline: scorecard.headline })}\n`);
        else {
          const t = keyFigures(scorecard);
          const widths = t.headers.map((h, i) => Math.max(h.length, ...t.rows.map((r) => r[i].length)));
          const line = (r: string[]) => r.map((c, i) => (i ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ');
          process.stdout.write(
            `\neval ${gold.name}: ${gold.articles.length} articles, ${gold.incidents.length} gold incidents\n${line(t.headers)}\n${t.rows.map(line).join('\n')}\n\noutputs in ${out}: ${files.map((f) => basename(f)).join(', ')}\n`,
          );
        }
        const partial = gold.problems.length || scorecard.run.failedJobs || scorecard.run.skippedInputs;
        process.exitCode = partial ? EXIT.partial : EXIT.ok;
      } catch (e) {
        if (!(e instanceof EvalInterrupted)) throw e;
        progress?.stop();
        process.stderr.write(`INTERRUPTED  ${e.message}\n`);
        process.exitCode = 130;
      } finally {
        stop.dispose();
        progress?.stop();
        await s.close();
      }
    });
  cmd.addCommand(compareCommand());
  return cmd;
}
