import type { Article, IncidentRecord } from '../../schemas/index.ts';
import { POSTMORTEM_FIELDS, TAXONOMY } from '../../schemas/index.ts';
import { toMarkdown } from './markdown.ts';

export const FORMATS = ['md', 'json', 'jsonl', 'csv'] as const;
export type Format = (typeof FORMATS)[number];

const csvCell = (v: unknown) => {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

function toCsv(records: IncidentRecord[]): string {
  const dims = TAXONOMY.map((d) => d.key);
  const head = ['id', 'title', 'published', 'article_ids', 'summary', ...POSTMORTEM_FIELDS.map((f) => `${f}_facts`), ...dims.flatMap((d) => [d, `${d}_confidence`])];
  const rows = records.map((r) => {
    const labels = new Map(r.labels.map((l) => [l.dimension, l]));
    return [r.id, r.title, r.published, r.articleIds.join(';'), r.postmortem?.summary ?? '',
      ...POSTMORTEM_FIELDS.map((f) => r.postmortem?.[f].length ?? 0),
      ...dims.flatMap((d) => [labels.get(d)?.options.join(';') ?? '', labels.get(d)?.confidence ?? ''])];
  });
  return [head, ...rows].map((row) => row.map(csvCell).join(',')).join('\n') + '\n';
}

/** Renders records in one format. Markdown separates incidents with a rule, as one document. */
export function render(format: Format, records: IncidentRecord[], articles: Map<string, Article>): string {
  switch (format) {
    case 'json': return `${JSON.stringify({ incidents: records }, null, 2)}\n`;
    case 'jsonl': return records.map((r) => JSON.stringify(r)).join('\n') + (records.length ? '\n' : '');
    case 'csv': return toCsv(records);
    case 'md': return records.map((r) => toMarkdown(r, articles)).join('\n---\n\n');
  }
}
