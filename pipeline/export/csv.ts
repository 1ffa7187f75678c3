import { stringify } from 'csv-stringify/sync';
import type { ExportFact, ExportRecord } from '../../schemas/index.ts';
import { POSTMORTEM_FIELDS, TAXONOMY } from '../../schemas/index.ts';
import { articleRefText, reviewWords } from './layout.ts';

/** A field's facts as numbered lines with their article references; facts a reviewer marked unsupported are left out. */
const factCell = (facts: readonly ExportFact[] | undefined) =>
  (facts ?? [])
    .filter((f) => f.review?.action !== 'unknown')
    .map((f, i) => `${i + 1}. ${f.text.replace(/\s+/g, ' ').trim()}${articleRefText(f.citations)}`)
    .join('\n');

/**
 * One row per incident: the facts of each postmortem field, and per dimension the options that count
 * (the reviewer's where reviewed), their confidence, the review, and the model's options when a reviewer
 * changed them. Cells that a spreadsheet would run as a formula (= + - @, tab, CR first) are escaped with
 * a leading apostrophe: article text is untrusted.
 */
export function toCsv(records: readonly ExportRecord[]): string {
  const head = [
    'id',
    'title',
    'published',
    'article_ids',
    'summary',
    ...POSTMORTEM_FIELDS,
    ...TAXONOMY.flatMap((d) => [d.key, `${d.key}_confidence`, `${d.key}_review`, `${d.key}_model`]),
  ];
  const rows = records.map((r) => {
    const labels = new Map(r.labels.map((l) => [l.dimension, l]));
    return [
      r.id,
      r.title,
      r.published ?? '',
      r.articleIds.join(';'),
      r.postmortem?.summary ?? '',
      ...POSTMORTEM_FIELDS.map((f) => factCell(r.postmortem?.[f])),
      ...TAXONOMY.flatMap((d) => {
        const l = labels.get(d.key);
        return [
          l?.options.join(';') ?? '',
          l?.confidence ?? '',
          l?.review ? reviewWords(l.review, 'label') : '',
          l?.review && l.model ? l.model.options.join(';') : '',
        ];
      }),
    ];
  });
  return stringify([head, ...rows], { escape_formulas: true, record_delimiter: '\n' });
}
