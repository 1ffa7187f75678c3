/** Whether two databases hold the same records, as `failscope export --format json` gives them. */
import { readFileSync } from 'node:fs';
import { Store } from '../../pipeline/store/store.ts';
import { failscope } from './child.ts';

/**
 * The exported records; run ids differ by nature, nothing else may. Read from a file: child.ts decodes
 * each stdout chunk on its own, so a character split between two chunks would read as two U+FFFD.
 */
export async function exportedRecords(db: string): Promise<string> {
  const file = `${db}.export.json`;
  const r = await failscope(['export', '--format', 'json', '--db', db, '--out', file]);
  if (r.code !== 0) throw new Error(`export from ${db} failed: ${r.stderr}`);
  return readFileSync(file, 'utf8').replace(/"runId": "[^"]*"/g, '"runId": "-"');
}

/** "identical (n incidents)", or the first line where the two exports differ. */
export async function sameRecords(a: string, b: string): Promise<string> {
  const [x, y] = await Promise.all([exportedRecords(a), exportedRecords(b)]);
  if (x === y) return `identical (${(JSON.parse(x) as { incidents: unknown[] }).incidents.length} incidents)`;
  const [xs, ys] = [x.split('\n'), y.split('\n')];
  const at = xs.findIndex((line, i) => line !== ys[i]);
  const show = (line: string | undefined) => (line ?? '(end)').trim().slice(0, 200);
  return `DIFFERENT from line ${at + 1} of the export: ${show(xs[at])} vs ${show(ys[at])}`;
}

/**
 * What the records alone do not show about a killed and resumed database `b` beside an uninterrupted `a`:
 * the same row and job counts, no failed job, no label given twice, and how its runs ended.
 */
export function sameStore(a: string, b: string): string {
  const [x, y] = [new Store(a), new Store(b)];
  try {
    const json = (v: unknown) => JSON.stringify(v);
    const twice = y.incidents.list().filter((inc) => {
      const dims = y.records.labels(inc.id).map((l) => l.dimension);
      return new Set(dims).size !== dims.length;
    });
    const ended: Record<string, number> = {};
    for (const r of y.runs.list()) ended[r.status] = (ended[r.status] ?? 0) + 1;
    return [
      json(x.counts()) === json(y.counts()) ? 'same row counts' : `DIFFERENT row counts: ${json(x.counts())} vs ${json(y.counts())}`,
      json(x.jobs.counts()) === json(y.jobs.counts())
        ? 'same job counts'
        : `DIFFERENT job counts: ${json(x.jobs.counts())} vs ${json(y.jobs.counts())}`,
      `${y.jobs.failed().length} failed jobs`,
      `${twice.length} incidents labelled twice on a dimension`,
      `runs ${json(ended)}`,
    ].join(', ');
  } finally {
    x.close();
    y.close();
  }
}
