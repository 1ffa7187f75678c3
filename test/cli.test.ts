import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { spawnSync } from 'node:child_process';
import { Store } from '../pipeline/store/store.ts';
import { RAW, tempDir } from './fixtures.ts';
import { BIN, type CliResult, ROOT, runCli } from './cli-runner.ts';
import { type InProcessResult, failscope } from './cli-in-process.ts';

const SAMPLE = join(ROOT, 'data', 'sample', 'articles.jsonl');
/** Kills a real `failscope run` right after its Nth finished job of a stage (see the file). */
const KILL_AFTER = pathToFileURL(join(ROOT, 'test', 'kill-after.mjs')).href;

const nonEmptyLines = (file: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim()).length;
const summaryOf = (stdout: string) =>
  JSON.parse(
    stdout
      .trim()
      .split('\n')
      .filter((l) => l.includes('"type":"summary"'))
      .at(-1)!,
  );
/** Records compared across databases: run ids differ by nature, nothing else may. */
const withoutRunIds = (json: string) => json.replace(/"runId": "[^"]*"/g, '"runId": "-"');

/** Every stored citation, checked against its article: verified ones are exact and slice-equal here. */
function checkCitations(db: string): { total: number; exact: number } {
  const store = new Store(db);
  try {
    let total = 0,
      exact = 0;
    for (const c of store.records.citationsWithText()) {
      total++;
      expect(c.alignment, c.quote).toBe('exact');
      expect(c.text.slice(c.start, c.end)).toBe(c.quote);
      exact++;
    }
    return { total, exact };
  } finally {
    store.close();
  }
}

// The real bin runs where the process is what is tested (stdout piped, SIGKILL); the rest runs in-process.
describe('failscope run on the sample', () => {
  const tmp = tempDir('failscope-cli-');
  const db = join(tmp.dir, 'sample.db');
  const out1 = join(tmp.dir, 'out1'),
    out2 = join(tmp.dir, 'out2');
  let first: CliResult, second: InProcessResult;
  beforeAll(async () => {
    first = await runCli(['run', SAMPLE, '--db', db, '--out', out1]);
    // A record file left from an incident that no longer exists.
    mkdirSync(join(out2, 'records'), { recursive: true });
    writeFileSync(join(out2, 'records', 'inc-0000000000.md'), '# Incident: merged away\n');
    second = await failscope('run', SAMPLE, '--db', db, '--out', out2, '--json');
  });
  afterAll(() => tmp.cleanup());

  it('exits 0, names the backend first, and prints a summary', () => {
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr.split('\n')[0]).toMatch(/backend offline/);
    // Piped, stdout is JSON lines only (progress, then the summary), so `failscope run | jq` works; the human summary is on stderr.
    const lines = first.stdout.trim().split('\n');
    for (const l of lines) expect(() => JSON.parse(l), l).not.toThrow();
    expect(lines.some((l) => l.startsWith('{"type":"stage"'))).toBe(true);
    expect(JSON.parse(lines.at(-1)!).type).toBe('summary');
    const n = nonEmptyLines(SAMPLE);
    expect(first.stderr).toMatch(new RegExp(`articles\\s+${n} stored, \\d+ screened as failure reports`));
    expect(first.stderr).toMatch(/incidents\s+\d+ \(\d+ with records\)/);
    expect(first.stderr).toMatch(/labels\s+\d+/);
    expect(first.stderr).toMatch(/citations\s+(\d+) verified, 0 not verified \(\1 exact\)\n/);
    expect(first.stderr).not.toMatch(/SKIPPED/);
  });

  it('writes a record for every incident', () => {
    const json = JSON.parse(readFileSync(join(out1, 'incidents.json'), 'utf8'));
    const md = readFileSync(join(out1, 'incidents.md'), 'utf8');
    expect(json.incidents.length).toBeGreaterThanOrEqual(8);
    for (const inc of json.incidents) {
      expect(inc.postmortem).not.toBeNull();
      expect(inc.labels.length).toBeGreaterThanOrEqual(13);
      expect(existsSync(join(out1, 'records', `${inc.id}.md`))).toBe(true);
      expect(md).toContain(`Incident id: \`${inc.id}\``);
    }
    // And the pages to read them by, as export --format html writes them.
    expect(readdirSync(join(out1, 'html', 'incidents'))).toHaveLength(json.incidents.length);
    expect(readFileSync(join(out1, 'html', 'index.html'), 'utf8')).toContain(`${json.incidents.length} incidents`);
    expect(first.stdout + first.stderr).toContain(`${join(out1, 'html', 'index.html')} (${json.incidents.length + 1} pages)`);
  });

  it('stores only citations whose slice equals their quote', () => {
    const { total, exact } = checkCitations(db);
    expect(total).toBeGreaterThan(100);
    expect(exact).toBe(total);
    expect(summaryOf(second.stdout).citations).toMatchObject({ verified: total, unverified: 0 });
  });

  it('a second run repeats no work and leaves the records byte-identical', async () => {
    expect(second.code, second.stderr).toBe(0);
    const s = summaryOf(second.stdout);
    for (const st of s.stages) expect(st, st.stage).toMatchObject({ done: 0, failed: 0, skipped: st.planned });
    expect(second.stdout).not.toMatch(/"type":"job"/);
    // Compared as text: toEqual on a megabyte Buffer walks it byte by byte for seconds.
    for (const f of ['incidents.json', 'incidents.md', 'html/index.html'])
      expect(readFileSync(join(out2, f), 'utf8'), f).toBe(readFileSync(join(out1, f), 'utf8'));
    expect(readdirSync(join(out2, 'records')).sort()).toEqual(readdirSync(join(out1, 'records')).sort());
    const exported = await failscope('export', '--format', 'json', '--db', db);
    expect(exported.code).toBe(0);
    expect(exported.stdout).toBe(readFileSync(join(out1, 'incidents.json'), 'utf8'));
    // --json, which every command takes, means JSON here too; with another format named it is refused.
    expect((await failscope('export', '--json', '--db', db)).stdout).toBe(exported.stdout);
    // An --out in folders that do not exist yet makes them.
    const nested = join(tmp.dir, 'exports', '2026', 'incidents.json');
    expect((await failscope('export', '--format', 'json', '--db', db, '--out', nested)).code).toBe(0);
    expect(readFileSync(nested, 'utf8')).toBe(exported.stdout);
    const both = await failscope('export', '--json', '--format', 'csv', '--db', db);
    expect(both.code).toBe(1);
    expect(both.stderr).toContain('--json and --format csv ask for two formats');
  });

  it('status --json prints counts per stage and state', async () => {
    const r = await failscope('status', '--json', '--db', db);
    expect(r.code).toBe(0);
    expect(r.stderr.split('\n')[0]).toMatch(/backend offline/);
    const status = JSON.parse(r.stdout);
    const n = nonEmptyLines(SAMPLE);
    const s = summaryOf(second.stdout);
    expect(status.jobs.screen).toEqual({ done: n });
    expect(status.jobs.group).toEqual({ done: s.failures });
    expect(status.jobs.extract).toEqual({ done: s.incidents });
    expect(status.jobs.classify).toEqual({ done: s.incidents });
    expect(status.store).toMatchObject({ articles: n, incidents: s.incidents, labels: s.labels });
    expect(status.runs.map((x: { status: string }) => x.status)).toEqual(['done', 'done']);
  });

  it('export into a pipe closed early (| head) stops quietly; a mistyped --producer is named with the ones there are', async () => {
    const cut = spawnSync('bash', ['-c', `set -o pipefail; "${process.execPath}" "${BIN}" export --db "${db}" | head -n 1`], {
      encoding: 'utf8',
    });
    expect(cut.stdout).toMatch(/^# Incident: /);
    expect(cut.stderr).not.toMatch(/EPIPE|Unhandled/);
    expect(cut.status, cut.stderr).toBe(0);
    const typo = await failscope('export', '--db', db, '--producer', 'offline:nope');
    expect(typo.code).toBe(1);
    expect(typo.stderr).toMatch(/no records by offline:nope in this database; --producer takes one of: offline:model@/);
  });

  it('export --format md has every heading of the example record', async () => {
    const r = await failscope('export', '--format', 'md', '--db', db);
    for (const h of [
      'Incident:',
      'Published Date',
      'Postmortem Analysis',
      'Timeline',
      'Software Taxonomy of Faults',
      'IoT System Layer',
      'Other Details',
      '| Category | Option | Rationale |',
      '| Layer | Option | Rationale |',
    ]) {
      expect(r.stdout, h).toContain(h);
    }
    expect(r.stdout).toMatch(/\[Article s-\d+/);
  });

  it('killed with SIGKILL while grouping, resumes to the same records as the uninterrupted run, with no duplicates', async () => {
    const killedDb = join(tmp.dir, 'killed.db');
    const killed = await runCli(['run', SAMPLE, '--db', killedDb, '--json'], undefined, {
      NODE_OPTIONS: `--import ${KILL_AFTER}`,
      FAILSCOPE_KILL_AFTER: 'group:10',
    });
    expect(killed.signal, killed.stderr).toBe('SIGKILL');
    expect(killed.stdout).not.toMatch(/"type":"summary"/);

    const resumed = await failscope('run', SAMPLE, '--db', killedDb, '--json');
    expect(resumed.code, resumed.stderr).toBe(0);
    const rs = summaryOf(resumed.stdout),
      cs = summaryOf(second.stdout);
    // Work done before the kill is not done again.
    expect(rs.stages.find((s: { stage: string }) => s.stage === 'screen')).toMatchObject({ done: 0 });
    expect(rs.stages.find((s: { stage: string }) => s.stage === 'group').skipped).toBeGreaterThanOrEqual(10);
    for (const k of ['articles', 'failures', 'incidents', 'records', 'labels']) expect(rs[k], k).toBe(cs[k]);
    expect(rs.citations).toEqual(cs.citations);

    const a = new Store(killedDb),
      b = new Store(db);
    try {
      expect(a.counts()).toEqual(b.counts());
      expect(a.jobs.counts()).toEqual(b.jobs.counts());
      expect(a.runs.list().map((r) => r.status)).toEqual(['interrupted', 'done']);
      // Every failure in an incident (the schema keeps an article in one), no incident without articles,
      // one label per incident and dimension.
      const members = a.incidents.membership();
      expect(members.size).toBe(a.counts().failures);
      const incidents = a.incidents.list();
      expect(new Set(members.values()).size).toBe(incidents.length);
      for (const inc of incidents) {
        const dims = a.records.labels(inc.id).map((l) => l.dimension);
        expect(new Set(dims).size, inc.id).toBe(dims.length);
      }
      expect(incidents).toEqual(b.incidents.list());
    } finally {
      a.close();
      b.close();
    }

    const [ea, eb] = [
      await failscope('export', '--format', 'json', '--db', killedDb),
      await failscope('export', '--format', 'json', '--db', db),
    ];
    expect(withoutRunIds(ea.stdout)).toBe(withoutRunIds(eb.stdout));
    checkCitations(killedDb);
  });
});

describe('Ctrl-C', () => {
  const tmp = tempDir('failscope-cli-int-');
  afterAll(() => tmp.cleanup());

  it('finishes the jobs in flight, says the run was interrupted (exit 130), and the next run completes it as one uninterrupted run would', async () => {
    const db = join(tmp.dir, 'int.db');
    // Piped, stdout carries the JSON lines the signal is timed by, and the human summary goes to stderr.
    const r = await runCli(['run', SAMPLE, '--db', db], undefined, {
      NODE_OPTIONS: `--import ${KILL_AFTER}`,
      FAILSCOPE_KILL_AFTER: 'extract:3',
      FAILSCOPE_KILL_SIGNAL: 'SIGINT',
    });
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr).toContain('interrupted: finishing the jobs in flight (Ctrl-C again to quit now)');
    expect(r.stderr).toMatch(/INTERRUPTED {2}the jobs in flight were finished and saved/);
    const s = summaryOf(r.stdout);
    expect(s.interrupted).toBe(true);
    // It stopped within the extract stage: no classify stage ran, and the extracts in flight were saved.
    expect(s.stages.map((x: { stage: string }) => x.stage)).toEqual(['screen', 'group', 'extract']);
    const extract = s.stages[2] as { done: number; planned: number };
    expect(extract.done).toBeGreaterThanOrEqual(3);
    expect(extract.done).toBeLessThan(extract.planned);
    const resumed = await failscope('run', '--db', db, '--json');
    expect(resumed.code, resumed.stderr).toBe(0);
    const rs = summaryOf(resumed.stdout);
    expect(rs.stages.find((x: { stage: string }) => x.stage === 'extract')).toMatchObject({ skipped: extract.done });
    const fresh = join(tmp.dir, 'fresh.db');
    await failscope('run', SAMPLE, '--db', fresh);
    const [a, b] = [
      await failscope('export', '--format', 'json', '--db', db),
      await failscope('export', '--format', 'json', '--db', fresh),
    ];
    expect(withoutRunIds(a.stdout)).toBe(withoutRunIds(b.stdout));
    const store = new Store(db);
    try {
      expect(store.runs.list().map((x) => x.status)).toEqual(['interrupted', 'done']);
    } finally {
      store.close();
    }
  });
});

describe('bad inputs', () => {
  const tmp = tempDir('failscope-cli-bad-');
  afterAll(() => tmp.cleanup());

  it('reads what is piped in as "-": JSON Lines or a story, named for its content in every message', async () => {
    const db = join(tmp.dir, 'piped.db');
    const piped = (args: string[], input: string) => runCli(args, (child) => child.stdin!.end(input));
    const lines = [
      JSON.stringify({ id: 'p1', ...RAW.bank1 }),
      '{"id": "p2", "headline": "cut off',
      JSON.stringify({ id: 'p3', ...RAW.car }),
    ];
    const r = await piped(['ingest', '-', '--db', db], lines.join('\n'));
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/skipped stdin-[0-9a-f]{8}\.jsonl:2: malformed JSON/);
    const story = `${RAW.breach.headline}\n${RAW.breach.text}`;
    const once = await piped(['ingest', '-', '--db', db, '--json'], story);
    expect(JSON.parse(once.stdout)).toMatchObject({ inserted: 1, problems: [] });
    // The same story piped again is the same input, already stored, not an update or a second article.
    const again = await piped(['ingest', '-', '--db', db, '--json'], story);
    expect(JSON.parse(again.stdout)).toMatchObject({ inserted: 0, existing: 1, updated: 0 });
    const store = new Store(db);
    try {
      expect(
        store.articles
          .list()
          .map((a) => a.id)
          .sort(),
      ).toEqual(['p1', 'p3', expect.stringMatching(/^stdin-[0-9a-f]{8}$/)]);
    } finally {
      store.close();
    }
  });

  it('are named by file and line, the good ones still processed, and the exit code says something was skipped', async () => {
    const good = join(tmp.dir, 'good.jsonl');
    writeFileSync(
      good,
      [JSON.stringify({ id: 'g1', ...RAW.bank1 }), '{"id": "g2", "headline": "cut off', JSON.stringify({ id: 'g3', ...RAW.car })].join(
        '\n',
      ),
    );
    const empty = join(tmp.dir, 'empty.txt');
    writeFileSync(empty, '');
    const binary = join(tmp.dir, 'blob.md');
    writeFileSync(binary, Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 1, 2, 3]));
    const db = join(tmp.dir, 'bad.db');
    const r = await failscope('run', good, empty, binary, '--db', db);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toContain(`skipped ${good}:2: malformed JSON`);
    expect(r.stderr).toContain(`skipped ${empty}: empty file`);
    expect(r.stderr).toMatch(new RegExp(`skipped ${binary.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: binary`));
    expect(r.stderr).toMatch(/articles\s+2 stored/);
    expect(r.stderr).toMatch(/SKIPPED\s+3 input\(s\)/);
    const status = JSON.parse((await failscope('status', '--json', '--db', db)).stdout);
    expect(status.jobs.screen).toEqual({ done: 2 });
    expect(status.problems.map((p: { origin: string }) => p.origin)).toEqual([`${good}:2`, empty, binary]);
  });

  it('a run with nothing to read, and an export with no records, say why instead of printing zeros or nothing', async () => {
    const db = join(tmp.dir, 'empty.db');
    const r = await failscope('run', '--db', db);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('nothing to do: the database holds no articles; name files or folders to read');
    expect((await failscope('export', '--db', db)).stderr).toContain(
      'no incident records in this database yet: `failscope run` makes them',
    );
    const notFailure = join(tmp.dir, 'bakery.txt');
    writeFileSync(
      notFailure,
      'Local bakery wins award\n\nThe bakery on Main Street won the regional bread award on Saturday, its owner said. The judges praised the sourdough and the rye. The owner plans to open a second shop next year in the town centre.\n',
    );
    await failscope('run', notFailure, '--db', db);
    expect((await failscope('export', '--db', db)).stderr).toContain(
      'no incident records: none of the 1 article(s) was screened as a failure report',
    );
  });

  it('run and status name the first 20 skipped inputs and say how many more --json holds', async () => {
    const bad = join(tmp.dir, 'many-bad.jsonl');
    writeFileSync(bad, '{bad\n'.repeat(25));
    const db = join(tmp.dir, 'many-bad.db');
    const run = await failscope('run', bad, '--db', db);
    // While reading, the first 20 are named and the rest counted.
    expect(run.stderr.split('\n').filter((l) => l.startsWith(`skipped ${bad}:`))).toHaveLength(20);
    expect(run.stderr).toContain('skipped … and more: the first 20 are named above, the summary counts them all');
    expect(run.stderr).toMatch(/SKIPPED\s+25 input\(s\)/);
    const lines = (await failscope('status', '--db', db)).stdout.trim().split('\n');
    expect(lines.filter((l) => l.startsWith(`skipped   ${bad}:`))).toHaveLength(20);
    expect(lines).toContain('skipped   … and 5 more input(s); `failscope status --json` lists them all');
    expect(JSON.parse((await failscope('status', '--json', '--db', db)).stdout).problems).toHaveLength(25);
  });

  it('an --out of the wrong kind is refused before any work, by every command that writes one', async () => {
    const file = join(tmp.dir, 'a-file');
    writeFileSync(file, 'x');
    const folder = join(tmp.dir, 'a-folder');
    mkdirSync(folder, { recursive: true });
    const db = join(tmp.dir, 'never-made.db');
    const sample = join(ROOT, 'data', 'sample');
    const cases: [string[], string][] = [
      [['run', SAMPLE, '--db', db, '--out', file], `--out ${file} is a file: name a directory`],
      [['export', '--db', db, '--format', 'html', '--out', file], `--out ${file} is a file: name a directory`],
      [['export', '--db', db, '--format', 'json', '--out', folder], `--out ${folder} is a directory: name the file to write`],
      [['eval', '--gold', sample, '--out', file], `--out ${file} is a file: name a directory`],
      [['learn', '--gold', sample, '--out', folder], `--out ${folder} is a directory: name the file to write`],
      [['review', 'export', '--db', db, '--out', file], `--out ${file} is a file: name a directory`],
      // A file where a folder of the path should be: said before learning, not after.
      [['learn', '--gold', sample, '--out', join(file, 'm.json')], `--out ${join(file, 'm.json')}: ${file} is a file, not a folder`],
      [
        ['export', '--db', db, '--format', 'md', '--out', join(file, 'sub', 'x.md')],
        `--out ${join(file, 'sub', 'x.md')}: ${file} is a file, not a folder`,
      ],
    ];
    for (const [args, message] of cases) {
      const r = await failscope(...args);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr, args.join(' ')).toContain(`failscope: ${message}`);
    }
    // The run stopped before it opened (and so made) its database.
    expect(existsSync(db)).toBe(false);
  });

  it('a gold folder run as input: its incident records are passed over with one note, not skipped line by line', async () => {
    const db = join(tmp.dir, 'gold-as-input.db');
    const sample = join(ROOT, 'data', 'sample');
    const r = await failscope('run', sample, '--db', db);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toContain('skipped');
    expect(r.stderr).toContain(`note ${join(sample, 'incidents.jsonl')}: passed over, 12 incident record(s)`);
    expect(r.stderr).toMatch(/note\s+1 file\(s\) passed over as holding no articles/);
    expect(r.stderr).toMatch(/articles\s+37 stored/);
  });

  it("eval refuses an output folder whose database holds another gold set's articles, which would be grouped with its own", async () => {
    const gold = (name: string, ids: string[]) => {
      const d = join(tmp.dir, name);
      mkdirSync(d, { recursive: true });
      const rows = ids.map((id, i) => ({ id, ...[RAW.bank1, RAW.car][i % 2], gold: { isFailure: true } }));
      writeFileSync(join(d, 'articles.jsonl'), rows.map((r) => JSON.stringify(r)).join('\n'));
      return d;
    };
    const out = join(tmp.dir, 'shared-out');
    const first = await failscope('eval', '--gold', gold('set-a', ['a1', 'a2']), '--out', out);
    expect(first.code, first.stderr).toBe(0);
    const second = await failscope('eval', '--gold', gold('set-b', ['b1', 'b2']), '--out', out);
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(
      `${join(out, 'pipeline.db')} holds 2 article(s) that are not in the gold set "set-b" (a1, a2): they would be grouped with its articles`,
    );
    // The same set again is scored as before.
    expect((await failscope('eval', '--gold', join(tmp.dir, 'set-a'), '--out', out)).code).toBe(0);
  });

  it('a gold folder with nothing readable is refused by eval and learn (each bad line named once, no model written); screening labels alone get no grouping-stage figure', async () => {
    const gold = join(tmp.dir, 'unreadable-gold');
    mkdirSync(gold);
    writeFileSync(join(gold, 'articles.jsonl'), `${JSON.stringify({ id: 'a1', headline: 'x', text: 'y' })}\nnot json\n`);
    const out = join(tmp.dir, 'unreadable-eval');
    const ev = await failscope('eval', '--gold', gold, '--out', out);
    expect(ev.code).toBe(1);
    expect(ev.stderr).toContain('nothing to score: no gold article could be read');
    expect(ev.stderr.split(`skipped ${join(gold, 'articles.jsonl')}:2: malformed JSON`).length).toBe(2);
    expect(existsSync(join(out, 'metrics.json'))).toBe(false);
    const model = join(tmp.dir, 'nothing.json');
    const learn = await failscope('learn', '--gold', gold, '--out', model);
    expect(learn.code).toBe(1);
    expect(learn.stderr).toContain('nothing to learn from');
    expect(existsSync(model)).toBe(false);

    // Screening labels alone: scored, but no figure for the grouping stage, which has no gold incident to score.
    const line = { id: 'a2', ...RAW.bank1, gold: { isFailure: true, analyzable: true, incidentId: null } };
    writeFileSync(join(gold, 'articles.jsonl'), `${JSON.stringify(line)}\n`);
    const scored = await failscope('eval', '--gold', gold, '--out', out);
    expect(scored.code, scored.stderr).toBe(0);
    expect(scored.stdout).toMatch(/is-failure F1 \(1 articles\)/);
    expect(scored.stdout).not.toContain('V-measure, stage alone');
  });
});
