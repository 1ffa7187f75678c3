/** Whether two databases hold the same records, as `failscope export --format json` gives them. */
import { failscope } from './child.ts';

/** The exported records; run ids differ by nature, nothing else may. */
export async function exportedRecords(db: string): Promise<string> {
  const r = await failscope(['export', '--format', 'json', '--db', db]);
  if (r.code !== 0) throw new Error(`export from ${db} failed: ${r.stderr}`);
  return r.stdout.replace(/"runId": "[^"]*"/g, '"runId": "-"');
}

/** "identical (n incidents)", or where the two exports first differ. */
export async function sameRecords(a: string, b: string): Promise<string> {
  const [x, y] = await Promise.all([exportedRecords(a), exportedRecords(b)]);
  if (x === y) return `identical (${(JSON.parse(x) as { incidents: unknown[] }).incidents.length} incidents)`;
  const at = [...x].findIndex((c, i) => c !== y[i]);
  return `DIFFERENT from character ${at}: …${x.slice(Math.max(0, at - 80), at + 80)}… vs …${y.slice(Math.max(0, at - 80), at + 80)}…`;
}
