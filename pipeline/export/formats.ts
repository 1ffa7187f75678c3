import type { Article, ExportRecord } from '../../schemas/index.ts';
import { toCsv } from './csv.ts';
import { toMarkdown } from './markdown.ts';

/** `html` writes a directory of pages (export/html.ts); the others are one text each. */
export const FORMATS = ['md', 'json', 'jsonl', 'csv', 'html'] as const;
export type Format = (typeof FORMATS)[number];
export type TextFormat = Exclude<Format, 'html'>;

/** Renders records in one text format. Markdown separates incidents with a rule, as one document. */
export function render(format: TextFormat, records: ExportRecord[], articles: ReadonlyMap<string, Article>): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify({ incidents: records }, null, 2)}\n`;
    case 'jsonl':
      return records.map((r) => JSON.stringify(r)).join('\n') + (records.length ? '\n' : '');
    case 'csv':
      return toCsv(records);
    case 'md':
      return records.map((r) => toMarkdown(r, articles)).join('\n---\n\n');
  }
}
