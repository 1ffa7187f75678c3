import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Store } from '../pipeline/store/store.ts';
import { RAW, tempDir } from './fixtures.ts';
import { type CliResult as Result, ROOT, runCli as cli } from './cli-runner.ts';

const SAMPLE = join(ROOT, 'data', 'sample', 'articles.jsonl');
const KO = '/work/shared/benchmarks/ko/articles.jsonl';



const nonEmptyLines = (file: string) => readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).length;
const summaryOf = (stdout: string) => JSON.parse(stdout.trim().split('\n').filter((l) => l.includes('"type":"summary"')).at(-1)!);
/** Records compared across databases: run ids differ by nature, nothing else may. */
const withoutRunIds = (json: string) => json.replace(/"runId": "[^"]*"/g, '"runId": "-"');

/** Every stored citation, checked against its article: verified ones are exact and slice-equal here. */
function checkCitations(db: string): { total: number; exact: number } {
  const store = new Store(db);
  try {
    let total = 0, exact = 0;
    for (const c of store.records.citationsWithText()) {
      total++;
      expect(c.alignment, c.quote).toBe('exact');
      expect(c.text.slice(c.start, c.end)).toBe(c.quote);
      exact++;
    }
    return { total, exact };
  } finally { store.close(); }
}

describe('failscope run on the sample', () => {
  const tmp = tempDir('failscope-cli-');
  const db = join(tmp.dir, 'sample.db');
  const out1 = join(tmp.dir, 'out1'), out2 = join(tmp.dir, 'out2');
  let first: Result, second: Result;
  beforeAll(async () => {
    first = await cli(['run', SAMPLE, '--db', db, '--out', out1]);
    // A record file left from an incident that no longer exists.
    mkdirSync(join(out2, 'records'), { recursive: true });
    writeFileSync(join(out2, 'records', 'inc-0000000000.md'), '# Incident: merged away\n');
    second = await cli(['run', SAMPLE, '--db', db, '--out', out2, '--json']);
  }, 120_000);
  afterAll(() => tmp.cleanup());

  it('exits 0, names the backend first, and prints a summary', () => {
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr.split('\n')[0]).toMatch(/backend offline/);
    const n = nonEmptyLines(SAMPLE);
    expect(first.stdout).toMatch(new RegExp(`articles\\s+${n} stored, \\d+ screened as failure reports`));
    expect(first.stdout).toMatch(/incidents\s+\d+ \(\d+ with records\)/);
    expect(first.stdout).toMatch(/labels\s+\d+/);
    expect(first.stdout).toMatch(/citations\s+\d+ verified, 0 not verified/);
    expect(first.stdout).not.toMatch(/SKIPPED/);
    // Piped, progress comes as JSON lines.
    expect(first.stdout.split('\n').some((l) => l.startsWith('{"type":"stage"'))).toBe(true);
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
    expect(readFileSync(join(out2, 'incidents.json'))).toEqual(readFileSync(join(out1, 'incidents.json')));
    expect(readFileSync(join(out2, 'incidents.md'))).toEqual(readFileSync(join(out1, 'incidents.md')));
    expect(readdirSync(join(out2, 'records')).sort()).toEqual(readdirSync(join(out1, 'records')).sort());
    const exported = await cli(['export', '--format', 'json', '--db', db]);
    expect(exported.code).toBe(0);
    expect(exported.stdout).toBe(readFileSync(join(out1, 'incidents.json'), 'utf8'));
  });

  it('status --json prints counts per stage and state', async () => {
    const r = await cli(['status', '--json', '--db', db]);
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

  it('export --format md has every heading of the example record', async () => {
    const r = await cli(['export', '--format', 'md', '--db', db]);
    for (const h of ['Incident:', 'Published Date', 'Postmortem Analysis', 'Timeline', 'Software Taxonomy of Faults', 'IoT System Layer', 'Other Details', '| Category | Option | Rationale |', '| Layer | Option | Rationale |']) {
      expect(r.stdout, h).toContain(h);
    }
    expect(r.stdout).toMatch(/\[Article s-\d+/);
  });
});

describe('bad inputs', () => {
  const tmp = tempDir('failscope-cli-bad-');
  afterAll(() => tmp.cleanup());

  it('are named by file and line, the good ones still processed, and the exit code says something was skipped', async () => {
    const good = join(tmp.dir, 'good.jsonl');
    writeFileSync(good, [
      JSON.stringify({ id: 'g1', ...RAW.bank1 }),
      '{"id": "g2", "headline": "cut off',
      JSON.stringify({ id: 'g3', ...RAW.car }),
    ].join('\n'));
    const empty = join(tmp.dir, 'empty.txt');
    writeFileSync(empty, '');
    const binary = join(tmp.dir, 'blob.md');
    writeFileSync(binary, Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 1, 2, 3]));
    const db = join(tmp.dir, 'bad.db');
    const r = await cli(['run', good, empty, binary, '--db', db]);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toContain(`skipped ${good}:2: malformed JSON`);
    expect(r.stderr).toContain(`skipped ${empty}: empty file`);
    expect(r.stderr).toMatch(new RegExp(`skipped ${binary.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: binary`));
    expect(r.stdout).toMatch(/articles\s+2 stored/);
    expect(r.stdout).toMatch(/SKIPPED\s+3 input\(s\)/);
    const status = JSON.parse((await cli(['status', '--json', '--db', db])).stdout);
    expect(status.jobs.screen).toEqual({ done: 2 });
    expect(status.problems.map((p: { origin: string }) => p.origin)).toEqual([`${good}:2`, empty, binary]);
  }, 60_000);
});

describe('a run killed part-way', () => {
  const tmp = tempDir('failscope-cli-kill-');
  afterAll(() => tmp.cleanup());

  it.skipIf(!existsSync(KO))('resumes to the same records as an uninterrupted run, with no duplicates', async () => {
    const killedDb = join(tmp.dir, 'killed.db');
    const cleanDb = join(tmp.dir, 'clean.db');
    let seen = { group: 0, stages: '' };
    const killed = await cli(['run', KO, '--db', killedDb], (child) => {
      const kill = () => child.kill('SIGKILL');
      {
        // Poll the jobs table until grouping is under way, then SIGKILL: no handler runs, nothing is flushed.
        const timer = setInterval(() => {
          if (!existsSync(killedDb)) return;
          try {
            const db = new Database(killedDb, { readonly: true, fileMustExist: true });
            try {
              const rows = db.prepare("SELECT stage, COUNT(*) n FROM jobs WHERE state = 'done' GROUP BY stage").all() as { stage: string; n: number }[];
              const done = Object.fromEntries(rows.map((x) => [x.stage, x.n]));
              seen = { group: done.group ?? 0, stages: JSON.stringify(done) };
              if ((done.group ?? 0) >= 30) { clearInterval(timer); kill(); }
            } finally { db.close(); }
          } catch { /* not created yet, or mid-migration */ }
        }, 10);
      }
    });
    expect(killed.signal, `run finished before it could be killed (${seen.stages})`).toBe('SIGKILL');
    expect(seen.group).toBeGreaterThanOrEqual(30);

    const resumed = await cli(['run', KO, '--db', killedDb, '--json']);
    expect(resumed.code, resumed.stderr).toBe(0);
    const rs = summaryOf(resumed.stdout);
    // Work done before the kill is not done again.
    expect(rs.stages.find((s: { stage: string }) => s.stage === 'screen').done).toBe(0);
    expect(rs.stages.find((s: { stage: string }) => s.stage === 'group').skipped).toBeGreaterThanOrEqual(30);

    const clean = await cli(['run', KO, '--db', cleanDb, '--json']);
    expect(clean.code, clean.stderr).toBe(0);
    const cs = summaryOf(clean.stdout);
    for (const k of ['articles', 'failures', 'incidents', 'records', 'labels']) expect(rs[k], k).toBe(cs[k]);
    expect(rs.citations).toEqual(cs.citations);

    const a = new Store(killedDb), b = new Store(cleanDb);
    try {
      expect(a.counts()).toEqual(b.counts());
      expect(a.jobs.counts()).toEqual(b.jobs.counts());
      expect(a.runs.list().map((r) => r.status)).toEqual(['interrupted', 'done']);
      // No article in two incidents, no incident without articles, one label per incident and dimension.
      const members = [...a.incidents.membership().keys()];
      expect(new Set(members).size).toBe(members.length);
      const incidents = a.incidents.list();
      expect(incidents).toHaveLength(a.counts().incidents);
      for (const inc of incidents) {
        const dims = a.records.labels(inc.id).map((l) => l.dimension);
        expect(new Set(dims).size, inc.id).toBe(dims.length);
      }
      expect(incidents).toEqual(b.incidents.list());
    } finally { a.close(); b.close(); }

    const [ea, eb] = await Promise.all([cli(['export', '--format', 'json', '--db', killedDb]), cli(['export', '--format', 'json', '--db', cleanDb])]);
    expect(withoutRunIds(ea.stdout)).toBe(withoutRunIds(eb.stdout));
    checkCitations(killedDb);
  }, 240_000);
});
