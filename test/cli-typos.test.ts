import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { outputFor } from '../pipeline/cli/progress.ts';
import { type EvalRun, goldMismatch } from '../evals/compare.ts';
import { ROOT } from './cli-runner.ts';
import { OfflineBackend } from '../pipeline/backends/offline/index.ts';
import { type InProcessResult as Result, failscope } from './cli-in-process.ts';
import { RAW, tempDir } from './fixtures.ts';

const tmp = tempDir('failscope-cli-typos-');
const db = join(tmp.dir, 'made.db');
let made: Result;
beforeAll(async () => {
  const articles = join(tmp.dir, 'two.jsonl');
  writeFileSync(articles, [JSON.stringify({ id: 'b1', ...RAW.bank1 }), JSON.stringify({ id: 'c1', ...RAW.car })].join('\n'));
  made = await failscope('run', articles, '--db', db);
});
afterAll(() => tmp.cleanup());

describe('the CLI catches typos', () => {
  it('prints its version', async () => {
    const r = await failscope('--version');
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);
  });

  it('fails on a missing database for commands that only read one, and creates none', async () => {
    const missing = join(tmp.dir, 'no-such.db');
    for (const args of [['status'], ['export', '--format', 'json'], ['review', 'export', '--out', join(tmp.dir, 'gold')]]) {
      const r = await failscope(...args, '--db', missing);
      expect(r.code, args[0]).toBe(1);
      expect(r.stderr).toContain(`failscope: no database at ${missing}`);
      expect(existsSync(missing)).toBe(false);
    }
  });

  it('names a --db that is not a database (an articles file given by mistake) and leaves it untouched', async () => {
    const articles = join(tmp.dir, 'articles-as-db.jsonl');
    writeFileSync(articles, `${JSON.stringify({ id: 'a', text: 'The bank app failed after an update.' })}\n`);
    const before = readFileSync(articles, 'utf8');
    for (const args of [['run'], ['status']]) {
      const r = await failscope(...args, '--db', articles);
      expect(r.code, args[0]).toBe(1);
      expect(r.stderr).toContain(`failscope: ${articles}: not a failscope database (not SQLite at all); --db names the database file`);
    }
    expect(readFileSync(articles, 'utf8')).toBe(before);
  });

  // A read-only place for a database: a folder without write permission, or for root (whom permissions do
  // not stop) a read-only tmpfs where the machine lets it mount one. Elsewhere the test is skipped.
  const readOnlyCopy = (): { file: string; undo: () => void } | null => {
    const dir = join(tmp.dir, 'read-only');
    mkdirSync(dir, { recursive: true });
    const root = process.getuid?.() === 0;
    let mounted = false;
    const undo = () => (mounted ? execFileSync('umount', [dir]) : chmodSync(dir, 0o755));
    try {
      if (root) execFileSync('mount', ['-t', 'tmpfs', 'tmpfs', dir], { stdio: 'ignore' });
      mounted = root;
      copyFileSync(db, join(dir, 'made.db'));
      if (root) execFileSync('mount', ['-o', 'remount,ro', dir], { stdio: 'ignore' });
      else chmodSync(dir, 0o555);
    } catch {
      if (mounted) undo();
      return null;
    }
    return { file: join(dir, 'made.db'), undo };
  };

  it('says that a database on a read-only mount or in a read-only folder cannot be opened, and why', async (ctx) => {
    const ro = readOnlyCopy();
    if (!ro) return ctx.skip();
    try {
      const r = await failscope('status', '--db', ro.file);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`failscope: ${ro.file}: cannot open the database: (the file|its folder .*) is read-only`));
      expect(r.stderr).toContain('copy it to a folder you can write to');
    } finally {
      ro.undo();
    }
  });

  it('fails on inputs that do not exist, before storing anything', async () => {
    const fresh = join(tmp.dir, 'fresh.db');
    const missing = join(tmp.dir, 'missing.txt');
    for (const args of [
      ['ingest', missing],
      ['run', missing],
      ['collect', '--urls-file', missing],
      ['collect', '--search-config', missing],
    ]) {
      const r = await failscope(...args, '--db', fresh);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr).toContain(`failscope: no such file or directory: ${missing}`);
      expect(existsSync(fresh)).toBe(false);
    }
    const url = 'https://news.example/outage';
    const r = await failscope('run', url, '--db', fresh);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`no such file or directory: ${url} (a web address is fetched with \`failscope collect ${url}\``);
    expect(existsSync(fresh)).toBe(false);
  });

  it('refuses --model on the offline backend, which would label its answers as that model', async () => {
    const fresh = join(tmp.dir, 'model-flag.db');
    for (const args of [['run'], ['run', '--backend', 'offline'], ['eval', '--gold', join(ROOT, 'data', 'sample')]]) {
      const r = await failscope(...args, '--model', 'gpt-4o', '--db', fresh);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr).toContain('--model gpt-4o names a model of the openai backend, but this run would use the offline backend');
      expect(existsSync(fresh)).toBe(false);
    }
  });

  it('refuses numeric flags that are not numbers in range', async () => {
    const cases: [string[], string][] = [
      [['run', '--concurrency', 'abc'], '--concurrency'],
      [['run', '--concurrency', '0'], '--concurrency'],
      [['eval', '--gold', tmp.dir, '--concurrency', '2.5'], '--concurrency'],
      [['eval', 'compare', 'a', 'b', '--resamples', 'many'], '--resamples'],
      [['collect', '--per-host-delay-ms', ''], '--per-host-delay-ms'],
      [['collect', '--near-duplicate', '2'], '--near-duplicate'],
      [['review', '--port', '70000'], '--port'],
    ];
    for (const [args, flag] of cases) {
      const r = await failscope(...args, '--db', join(tmp.dir, 'never.db'));
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr, args.join(' ')).toMatch(new RegExp(`option '${flag} <[^>]+>' argument '[^']*' is invalid`));
    }
    expect(existsSync(join(tmp.dir, 'never.db'))).toBe(false);
  });

  it('reads the paths a config names from its own folder, so it works from any working directory', async () => {
    const folder = join(tmp.dir, 'project');
    mkdirSync(folder, { recursive: true });
    const config = join(folder, 'failscope.config.json');
    writeFileSync(config, JSON.stringify({ db: 'project.db', offline: { modelFile: 'missing-model.json' } }));
    // The model file is looked for beside the config: the error names that path.
    const r = await failscope('run', '--config', config);
    expect(r.stderr).toContain(`${join(folder, 'missing-model.json')}: cannot read the offline model`);
    writeFileSync(config, JSON.stringify({ db: 'project.db' }));
    const ok = await failscope('run', '--config', config);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stderr.split('\n')[0]).toContain(`db ${join(folder, 'project.db')}`);
    expect(existsSync(join(folder, 'project.db'))).toBe(true);
    expect(existsSync(join(process.cwd(), 'project.db'))).toBe(false);
  });

  it('warns about config keys it does not know, naming the file and the key', async () => {
    const config = join(tmp.dir, 'failscope.config.json');
    writeFileSync(config, JSON.stringify({ concurency: 2, openai: { rpmm: 10, sameIncident: { acept: 0.5 } } }));
    const r = await failscope('status', '--db', db, '--config', config);
    expect(r.code, r.stderr).toBe(0);
    for (const key of ['concurency', 'openai.rpmm', 'openai.sameIncident.acept'])
      expect(r.stderr).toContain(`warning: ${config}: unknown key "${key}"`);
    expect(r.stderr).not.toMatch(/unknown key "(db|openai)"/);
  });
});

describe('malformed JSON files', () => {
  it('are named with the line and column of the fault: the config, a model file, a .json of articles', async () => {
    // A missing comma at the end of line 3: JSON.parse stops at the next key, line 4, column 3 (Node 22 says so itself).
    const broken = '{\n  "concurrency": 4,\n  "db": "x.db"\n  "backend": "offline"\n}\n';
    const config = join(tmp.dir, 'broken.config.json');
    writeFileSync(config, broken);
    const r = await failscope('run', '--db', db, '--config', config);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`failscope: ${config.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: .* \\(line 4,? column 3\\)`));
    const m = await failscope('run', '--db', db, '--model-file', config);
    expect(m.stderr).toMatch(/cannot read the offline model \(.*\(line 4,? column 3\)\)/);
    const articles = join(tmp.dir, 'broken.json');
    writeFileSync(articles, broken);
    const i = await failscope('ingest', articles, '--db', db);
    expect(i.stderr).toMatch(/skipped .*broken\.json: malformed JSON: .*\(line 4,? column 3\)/);
  });
});

describe('output', () => {
  it('piped, stdout carries only JSON lines and the human summary goes to stderr', () => {
    expect(made.code, made.stderr).toBe(0);
    const lines = made.stdout.trim().split('\n');
    for (const l of lines) expect(() => JSON.parse(l), l).not.toThrow();
    expect(JSON.parse(lines.at(-1)!)).toMatchObject({ type: 'summary', articles: 2 });
    expect(made.stderr).toMatch(/articles\s+2 stored/);
  });

  it('decides JSON, bars and summary from --json and which streams are terminals', () => {
    const tty = { isTTY: true } as NodeJS.WriteStream,
      pipe = {} as NodeJS.WriteStream;
    expect(outputFor(false, { stdout: tty, stderr: tty })).toEqual({ json: false, bars: true, human: tty });
    expect(outputFor(false, { stdout: pipe, stderr: tty })).toEqual({ json: true, bars: true, human: tty });
    expect(outputFor(false, { stdout: pipe, stderr: pipe })).toEqual({ json: true, bars: false, human: pipe });
    expect(outputFor(true, { stdout: tty, stderr: tty })).toEqual({ json: true, bars: false, human: null });
  });

  it('status names the backend whose runs made the database, not the one configured', async () => {
    const config = join(tmp.dir, 'openai.config.json');
    writeFileSync(config, JSON.stringify({ backend: 'openai' }));
    const r = await failscope('status', '--db', db, '--config', config);
    expect(r.stderr.split('\n')[0]).toBe(`failscope · db ${db} · made by backend offline (${new OfflineBackend().model})`);
  });

  it('status lists stages in pipeline order', async () => {
    const text = await failscope('status', '--db', db);
    const stages = text.stdout
      .split('\n')
      .map((l) => l.split(/\s+/)[0])
      .filter((w) => ['screen', 'group', 'extract', 'classify'].includes(w));
    expect(stages).toEqual(['screen', 'group', 'extract', 'classify']);
    const json = JSON.parse((await failscope('status', '--db', db, '--json')).stdout);
    expect(Object.keys(json.jobs)).toEqual(['screen', 'group', 'extract', 'classify']);
  });
});

describe('eval compare', () => {
  const evalDir = (name: string, goldName: string, hash: string) => {
    const dir = join(tmp.dir, name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'metrics.json'),
      JSON.stringify({ goldSet: { name: goldName, dir: `/gold/${goldName}`, hash }, run: { backend: 'offline', model: 'm' } }),
    );
    writeFileSync(
      join(dir, 'items.json'),
      JSON.stringify({ items: { screening: [], grouping: { endToEnd: [], stage: [] }, taxonomy: [], postmortem: [], citations: [] } }),
    );
    return dir;
  };

  it('refuses runs over different gold sets', async () => {
    const r = await failscope('eval', 'compare', evalDir('on-fail', 'fail', 'h1'), evalDir('on-ko', 'ko', 'h2'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /failscope: cannot compare .*on-fail and .*on-ko: they scored different gold sets: fail \(\/gold\/fail\) and ko \(\/gold\/ko\)/,
    );
  });

  it('tells a changed gold set from the same one by its hash', () => {
    const run = (name: string, hash?: string) => ({ dir: name, scorecard: { goldSet: { name, dir: `/g/${name}`, hash } } }) as EvalRun;
    expect(goldMismatch(run('fail', 'h1'), run('fail', 'h1'))).toBeNull();
    expect(goldMismatch(run('fail', 'h1'), run('fail', 'h2'))).toMatch(/different versions of gold set fail/);
    expect(goldMismatch(run('fail'), run('fail', 'h2'))).toBeNull();
  });
});
