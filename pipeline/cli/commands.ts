import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { ingest, type Renamed, type Undated } from '../ingest/ingest.ts';
import { runPipeline, type RunSummary } from '../run.ts';
import { FORMATS, render, type Format } from '../export/formats.ts';
import { writeHtml } from '../export/html.ts';
import { applyReviews, asExported } from '../export/reviewed.ts';
import type { ExportRecord } from '../../schemas/index.ts';
import {
  type CommonOptions,
  EXIT,
  onCtrlC,
  open,
  openExisting,
  requireExisting,
  requireOut,
  warnProblem,
  withCommon,
  writeOut,
} from './common.ts';
import { outputFor, progressSink } from './progress.ts';
import { integer } from './numbers.ts';
import type { Problem } from '../ingest/read.ts';
import { JobState, STAGES } from '../../schemas/index.ts';
import type { Store } from '../store/store.ts';
import type { Config } from '../../schemas/index.ts';

const noteRenamed = (r: Renamed) =>
  process.stderr.write(`note ${r.origin}: id "${r.wanted}" is taken by ${r.takenBy}; stored as "${r.id}"\n`);
const noteUndated = (u: Undated) =>
  process.stderr.write(
    u.future
      ? `note ${u.origin}: publication date "${u.value}" is after today; stored as given (a typo in the source?)\n`
      : `note ${u.origin}: "${u.value}" is not a date failscope can read; stored without a publication date\n`,
  );

/** How many lines of one kind (skipped inputs, failed jobs or URLs, usage per incident) a person is shown; `status --json` has them all. */
const SHOWN = 20;

/** A problem sink that names the first SHOWN and says once that the rest are only counted. */
function shownProblems(): (p: Problem) => void {
  let n = 0;
  return (p) => {
    n++;
    if (n <= SHOWN) warnProblem(p);
    else if (n === SHOWN + 1)
      process.stderr.write(
        `skipped … and more: the first ${SHOWN} are named above, the summary counts them all, and \`failscope status --json\` names each\n`,
      );
  };
}

const notePassed = (p: Problem) => process.stderr.write(`note ${p.origin}: passed over, ${p.reason}\n`);
const passedLine = (n: number) => `${n} file(s) passed over as holding no articles (incident records, failscope's own output)`;

const bytes = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError(`expected a whole number of bytes, not "${v}"`);
  return n;
};
const maxArticleOption = () =>
  new Option(
    '--max-article-bytes <n>',
    'refuse a larger article or JSON Lines line (default 393216, or ingest.maxArticleBytes in the config)',
  ).argParser(bytes);

/** What ingest reads with: the config's limits, and the flag over them. */
const ingestOptions = (config: Config, opts: { maxArticleBytes?: number }) => ({
  ...config.ingest,
  maxArticleBytes: opts.maxArticleBytes ?? config.ingest.maxArticleBytes,
  onProblem: shownProblems(),
  onRenamed: noteRenamed,
  onUndated: noteUndated,
  onPassed: notePassed,
});

export function ingestCommand(): Command {
  return withCommon(new Command('ingest'))
    .description('read local files or directories (.txt .md .html .json .jsonl, benchmark JSONL) into the store')
    .argument('<paths...>', 'files or directories')
    .addOption(maxArticleOption())
    .action(async (paths: string[], opts: CommonOptions & { maxArticleBytes?: number }) => {
      requireExisting(paths);
      const s = await open(opts);
      try {
        const r = await ingest(s.store, paths, ingestOptions(s.config, opts));
        if (opts.json) process.stdout.write(`${JSON.stringify(r)}\n`);
        else
          process.stdout.write(
            `ingested ${r.inserted} new article(s) (${r.existing} already stored, ${r.updated} updated, ${r.duplicates} duplicate(s), ${r.renamed.length} under an id of their own); ${r.problems.length} input(s) skipped${r.passed.length ? `; ${passedLine(r.passed.length)}` : ''}\n`,
          );
        process.exitCode = r.problems.length ? EXIT.partial : EXIT.ok;
      } finally {
        await s.close();
      }
    });
}

/** The records to export, with the reviewers' decisions applied unless `review` is false; what was not applied is said on stderr. */
function exportRecords(store: Store, opts: { producer?: string; review?: boolean } = {}): ExportRecord[] {
  const known = store.records.producers();
  // A mistyped producer would otherwise export every incident as "not extracted yet".
  if (opts.producer && !known.includes(opts.producer))
    throw new Error(
      `no records by ${opts.producer} in this database; ${known.length ? `--producer takes one of: ${known.join(', ')}` : 'it holds no records yet (failscope run)'}`,
    );
  const records = store.records.list(opts.producer);
  if (opts.review === false) return asExported(records);
  const r = applyReviews(records, store.review.latest());
  for (const x of r.skipped)
    process.stderr.write(`review decision not applied: incident "${x.incidentId}" ${x.target}: ${x.reason} (it stays in the database)\n`);
  if (r.applied.labels || r.applied.facts)
    process.stderr.write(
      `export: ${r.applied.labels} reviewed label(s) and ${r.applied.facts} reviewed fact(s) applied (--no-review for the model's answers only)\n`,
    );
  return r.records;
}

const articleMap = (store: Store) => new Map(store.articles.list({ includeDuplicates: true }).map((a) => [a.id, a]));

function writeOutputs(store: Store, dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  const records = exportRecords(store);
  const articles = articleMap(store);
  const files = (['md', 'json'] as const).map((f) => {
    const file = join(dir, `incidents.${f}`);
    writeFileSync(file, render(f, records, articles));
    return file;
  });
  const recDir = join(dir, 'records');
  mkdirSync(recDir, { recursive: true });
  for (const r of records) writeFileSync(join(recDir, `${r.id}.md`), render('md', [r], articles));
  // Incidents merged away or emptied since an earlier run must not linger as record files.
  const current = new Set(records.map((r) => `${r.id}.md`));
  for (const f of readdirSync(recDir)) if (/^inc-.*\.md$/.test(f) && !current.has(f)) rmSync(join(recDir, f));
  // The pages to read the records by, with every cited span in its article: what a first run is for.
  const pages = writeHtml(join(dir, 'html'), records, articles);
  return [...files, `${recDir}/ (${records.length} files)`, `${join(dir, 'html', 'index.html')} (${pages.length} pages)`];
}

/** How the quotes were placed in their articles, in words: " (640 exact, 22 normalized)". */
const aligned = (by: Record<string, number>) => {
  const parts = Object.entries(by)
    .sort((a, b) => b[1] - a[1])
    .map(([how, n]) => `${n} ${how}`);
  return parts.length ? ` (${parts.join(', ')})` : '';
};

/** The first SHOWN lines of a list a person reads, and how many more `status --json` holds. */
const firstOf = (lines: string[], tag: string, what: string) =>
  lines.length > SHOWN
    ? [...lines.slice(0, SHOWN), `${tag.padEnd(9)} … and ${lines.length - SHOWN} more ${what}; \`failscope status --json\` lists them all`]
    : lines;

function printSummary(to: NodeJS.WritableStream, s: RunSummary, problems: Problem[], passed: number, outputs: string[]): void {
  const c = s.citations;
  const lines = [
    '',
    `run ${s.runId} (${s.backend}, ${s.model})`,
    `  articles     ${s.articles} stored, ${s.failures} screened as failure reports`,
    `  incidents    ${s.incidents} (${s.records} with records)`,
    `  labels       ${s.labels}`,
    `  citations    ${c.verified} verified, ${c.unverified} not verified${aligned(c.byAlignment)}`,
    `  stages       ${s.stages.map((x) => `${x.stage} ${x.done} done${x.skipped ? `/${x.skipped} unchanged` : ''}${x.elsewhere ? `/${x.elsewhere} by other runs` : ''}${x.failed ? `/${x.failed} FAILED` : ''}`).join(', ')}`,
  ];
  if (s.grouping.regrouped) lines.push(`  regrouped    ${s.grouping.regrouped} article(s) grouped anew`);
  if (s.grouping.stale)
    lines.push(
      `  note         ${s.grouping.stale} article(s) stay in incidents grouped before the model, the grouping method or their text changed; \`failscope run --regroup\` groups them as a fresh database would`,
    );
  if (passed) lines.push(`  note         ${passedLine(passed)}`);
  if (problems.length || s.failedJobs)
    lines.push(`  SKIPPED      ${problems.length} input(s), ${s.failedJobs} failed job(s); see above and \`failscope status\``);
  // Piped, failed jobs are only JSON lines on stdout: the reasons belong in the summary a person reads.
  const errors = new Map<string, number>();
  for (const st of s.stages) for (const [m, n] of Object.entries(st.errors)) errors.set(m, (errors.get(m) ?? 0) + n);
  const worst = [...errors].sort((a, b) => b[1] - a[1]);
  for (const [m, n] of worst.slice(0, 3)) lines.push(`  failed       ${n} job(s): ${m.length > 300 ? `${m.slice(0, 300)}…` : m}`);
  if (worst.length > 3) lines.push(`  failed       ${worst.slice(3).reduce((k, [, n]) => k + n, 0)} more job(s) for other reasons`);
  if (s.interrupted) lines.push('  INTERRUPTED  the jobs in flight were finished and saved; `failscope run` takes up the rest');
  if (s.stopped) lines.push(`  STOPPED      ${s.stopped}; the jobs not done stay pending, and \`failscope run\` takes them up again`);
  if (outputs.length) lines.push(`  outputs      ${outputs.join(', ')}`);
  if (s.articles === 0 && !problems.length && !passed)
    lines.push(
      '  nothing to do: the database holds no articles; name files or folders to read (`failscope run data/sample/articles.jsonl`), or fetch news with `failscope collect`',
    );
  to.write(`${lines.join('\n')}\n`);
}

export function runCommand(): Command {
  return withCommon(new Command('run'))
    .description('ingest the given inputs, if any, then do every pending stage: screen → group → extract → classify')
    .argument('[paths...]', 'files or directories to ingest first')
    .option('--out <dir>', 'also write incidents.md, incidents.json, one Markdown file per incident, and HTML pages (html/index.html) here')
    .option('--concurrency <n>', 'jobs in flight at once', integer(1))
    .option(
      '--workers <n>',
      'offline backend: threads for screening, extraction and classification (default 1: the main thread alone; more pay on large corpora)',
      integer(1),
    )
    .option('--no-cache', 'do not use cached model responses')
    .option(
      '--batch',
      'openai backend: send requests through the Batch API (half price, answered within 24 h); run it again after a kill to collect what was submitted',
    )
    .option(
      '--regroup',
      "group every article anew, as a fresh database would (after a new model or grouping method); incidents whose articles change are extracted and classified again, and reviewers' decisions are kept",
    )
    .addOption(maxArticleOption())
    .action(
      async (
        paths: string[],
        opts: CommonOptions & { out?: string; concurrency?: number; cache: boolean; maxArticleBytes?: number; regroup?: boolean },
      ) => {
        requireExisting(paths);
        requireOut(opts.out, 'directory');
        const s = await open(opts);
        const out = outputFor(opts.json);
        const progress = progressSink(out);
        const stop = onCtrlC('the jobs in flight');
        try {
          s.store.runs.recoverInterrupted();
          const run = s.store.runs.start({
            backend: s.backend.name,
            model: s.backend.model,
            concurrency: opts.concurrency ?? s.config.concurrency,
            cache: opts.cache,
          });
          const ingested = paths.length
            ? await ingest(s.store, paths, { ...ingestOptions(s.config, opts), runId: run.id, signal: stop.signal })
            : null;
          if (ingested && out.json) process.stdout.write(`${JSON.stringify({ type: 'ingest', ...ingested })}\n`);
          const problems = ingested?.problems ?? [];
          const summary = await runPipeline(s.store, s.backend, {
            runId: run.id,
            settings: {
              backend: s.backend.name,
              model: s.backend.model,
              concurrency: opts.concurrency ?? s.config.concurrency,
              cache: opts.cache,
            },
            onEvent: progress.sink,
            skippedInputs: problems.length,
            regroup: !!opts.regroup,
            signal: stop.signal,
          });
          progress.stop();
          const outputs = opts.out ? writeOutputs(s.store, opts.out) : [];
          if (out.json) process.stdout.write(`${JSON.stringify({ type: 'summary', ...summary, outputs })}\n`);
          if (out.human) printSummary(out.human, summary, problems, ingested?.passed.length ?? 0, outputs);
          process.exitCode = summary.interrupted
            ? 130
            : summary.stopped
              ? EXIT.error
              : problems.length || summary.failedJobs
                ? EXIT.partial
                : EXIT.ok;
        } finally {
          stop.dispose();
          progress.stop();
          await s.close();
        }
      },
    );
}

export function exportCommand(): Command {
  return withCommon(new Command('export'))
    .description("print or write the incident records, with reviewers' decisions applied")
    .addOption(new Option('--format <format>', 'output format (html writes a directory of pages)').choices([...FORMATS]).default('md'))
    .option('--out <path>', 'write to this file (html: this directory) instead of stdout')
    .option('--producer <backend:model>', "whose results to export (default: each incident's most recent)")
    .option('--no-review', "the model's answers only, without reviewers' decisions")
    .action(async (opts: CommonOptions & { format: Format; out?: string; producer?: string; review: boolean }, command: Command) => {
      // --json, which every command takes, asks for JSON here too, unless another format was named.
      if (opts.json) {
        if (command.getOptionValueSource('format') !== 'default' && opts.format !== 'json')
          throw new Error(`--json and --format ${opts.format} ask for two formats: give one`);
        opts.format = 'json';
      }
      if (opts.format === 'html' && !opts.out) throw new Error('--format html writes a directory of pages: give it with --out <dir>');
      requireOut(opts.out, opts.format === 'html' ? 'directory' : 'file');
      const s = openExisting(opts);
      try {
        const records = exportRecords(s.store, opts);
        if (!records.length) {
          const c = s.store.counts();
          process.stderr.write(
            c.articles && c.screened === c.articles - c.duplicates && !c.failures
              ? `no incident records: none of the ${c.screened} article(s) was screened as a failure report\n`
              : 'no incident records in this database yet: `failscope run` makes them\n',
          );
        }
        const articles = articleMap(s.store);
        if (opts.format === 'html') {
          const files = writeHtml(opts.out!, records, articles);
          process.stdout.write(`wrote ${files.length} page(s): open ${files[0]}\n`);
          return;
        }
        const text = render(opts.format, records, articles);
        if (opts.out) writeOut(opts.out, text);
        else process.stdout.write(text);
      } finally {
        await s.close();
      }
    });
}

/** Job counts in the order the pipeline works: stages screen → classify, states pending → failed. */
function inPipelineOrder(counts: Record<string, Record<string, number>>): Record<string, Record<string, number>> {
  const ordered = <K extends string>(keys: readonly K[], o: Record<string, unknown>) => keys.filter((k) => o[k] !== undefined);
  return Object.fromEntries(
    ordered(STAGES, counts).map((stage) => [
      stage,
      Object.fromEntries(ordered(JobState.options, counts[stage]).map((st) => [st, counts[stage][st]])),
    ]),
  );
}

export function statusCommand(): Command {
  return withCommon(new Command('status'))
    .description('counts per stage and state, stored records, problems and model usage')
    .action(async (opts: CommonOptions) => {
      const s = openExisting(opts);
      try {
        const status = {
          store: s.store.counts(),
          jobs: inPipelineOrder(s.store.jobs.counts()),
          citations: s.store.records.citationCounts(),
          failed: s.store.jobs.failed().map((j) => ({ stage: j.stage, key: j.key, error: j.error })),
          problems: s.store.articles.problems(),
          runs: s.store.runs
            .list()
            .slice(-5)
            .map((r) => ({ id: r.id, status: r.status, backend: r.settings.backend, model: r.settings.model, startedAt: r.startedAt })),
          usage: s.store.modelCalls.usage('run_id'),
          batches: s.store.batches.progress(),
          // model usage per incident (calls whose subject is an incident: extract, classify), and quote checks per run
          usageByIncident: (() => {
            const ids = new Set(s.store.incidents.list().map((i) => i.id));
            return s.store.modelCalls.usage('subject').filter((u) => u.key && ids.has(u.key));
          })(),
          quotes: s.store.modelCalls.quoteChecks(),
          // collect: web fetch jobs by state, failures and duplicates by reason, and every failed URL with its reason
          collect: {
            ...s.store.fetches.counts(),
            failedUrls: s.store.fetches
              .list('failed')
              .map((f) => ({ url: f.requestedUrl, reason: f.reason, httpStatus: f.httpStatus, detail: f.detail })),
          },
        };
        if (opts.json) {
          process.stdout.write(`${JSON.stringify(status, null, 2)}\n`);
          return;
        }
        const out: string[] = [];
        out.push(
          `store     ${Object.entries(status.store)
            .map(([k, v]) => `${k} ${v}`)
            .join(', ')}`,
        );
        for (const [stage, states] of Object.entries(status.jobs))
          out.push(
            `${stage.padEnd(9)} ${Object.entries(states)
              .map(([k, v]) => `${k} ${v}`)
              .join(', ')}`,
          );
        out.push(
          `citations ${
            Object.entries(status.citations)
              .map(([k, v]) => `${k} ${v}`)
              .join(', ') || 'none'
          }`,
        );
        const c = status.collect;
        if (
          c.pages.pending + c.pages.fetched + c.pages.failed + c.pages.duplicate + c.feeds.pending + c.feeds.fetched + c.feeds.failed >
          0
        ) {
          const by = (r: Record<string, number>) =>
            Object.entries(r)
              .map(([k, v]) => `${k} ${v}`)
              .join(', ') || 'none';
          out.push(
            `collect   pages: ${c.pages.fetched} collected (${c.opinion} opinion), ${c.pages.duplicate} duplicate, ${c.pages.failed} failed, ${c.pages.pending} pending; feeds: ${c.feeds.fetched} fetched, ${c.feeds.failed} failed, ${c.feeds.pending} pending`,
          );
          out.push(`collect   failed by reason: ${by(c.failedByReason)}; duplicate by reason: ${by(c.duplicateByReason)}`);
          out.push(
            ...firstOf(
              c.failedUrls.map((f) => `FAILED    ${f.url}: ${f.reason}${f.detail ? ` (${f.detail})` : ''}`),
              'FAILED',
              'URL(s)',
            ),
          );
        }
        out.push(
          ...firstOf(
            status.failed.map((f) => `FAILED    ${f.stage} ${f.key}: ${f.error}`),
            'FAILED',
            'failed job(s)',
          ),
        );
        out.push(
          ...firstOf(
            status.problems.map((p) => `skipped   ${p.origin}: ${p.reason}`),
            'skipped',
            'input(s)',
          ),
        );
        for (const u of status.usage)
          out.push(
            `usage     ${u.key}: ${u.calls} calls (${u.sent} sent, ${u.fromCache} cached), ${u.promptTokens}+${u.completionTokens} tokens, $${u.cost.toFixed(4)}`,
          );
        out.push(
          ...firstOf(
            status.usageByIncident.map(
              (u) =>
                `usage     incident ${u.key}: ${u.calls} calls (${u.sent} sent), ${u.promptTokens}+${u.completionTokens} tokens (${u.cachedTokens} prompt-cached), $${u.cost.toFixed(4)}`,
            ),
            'usage',
            'incident(s)',
          ),
        );
        for (const [st, b] of Object.entries(status.batches.byStatus))
          out.push(`batches   ${st}: ${b.batches} batch(es), ${b.completed}/${b.requests} request(s) answered, ${b.failed} failed`);
        for (const b of status.batches.open)
          out.push(
            `batch     ${b.providerId ?? `(file ${b.inputFileId}, batch not yet created)`} ${b.stage}: ${b.status}${b.collected ? '' : ', not yet collected'}, ${b.completed}/${b.requests} answered, ${b.failed} failed, since ${b.createdAt}; \`failscope run --batch\` collects it`,
          );
        for (const q of status.quotes)
          out.push(
            `quotes    ${q.runId}: ${q.proposed} quoted, ${q.unplaced} not found at first, ${q.reasks} re-ask(s), ${q.dropped} dropped, ${q.unsupported} item(s) left without a verified quote`,
          );
        for (const r of status.runs) out.push(`run       ${r.id} ${r.status} (${r.backend}, ${r.model})`);
        process.stdout.write(`${out.join('\n')}\n`);
      } finally {
        await s.close();
      }
    });
}
