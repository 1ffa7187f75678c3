/** Whether two databases hold the same records, as `failscope export --format json` gives them. */
import { readFileSync } from 'node:fs';
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
