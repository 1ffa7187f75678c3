import type { Article, ExportFact, ExportLabel, ExportRecord } from '../../schemas/index.ts';
import { NOT_APPLICABLE, articleRefText, optionName, recordLayout, reviewWords, type LayoutRow } from './layout.ts';

const cell = (s: string) => s.replace(/\s+/g, ' ').replace(/\|/g, '\\|').trim();

function factLine(facts: ExportFact[]): string {
  if (facts.length === 0) return 'unknown';
  return facts
    .map((f, i) => {
      const r = f.review;
      const text = r?.action === 'unknown' ? `~~${cell(f.text)}~~` : cell(f.text);
      const note = r
        ? ` (${reviewWords(r, 'fact')}${r.action === 'change' && f.model ? `; the model said: ${cell(f.model.text)}` : ''})`
        : '';
      return `${i + 1}. ${text}${articleRefText(f.citations)}${note}`;
    })
    .join(' ');
}

const optionText = (l: ExportLabel | undefined) => (l ? l.options.map(optionName).join(', ') : 'unknown');

function rationale(l: ExportLabel | undefined): string {
  if (!l) return 'Not labelled.';
  const conf = l.confidence !== null ? ` (confidence ${l.confidence.toFixed(2)})` : '';
  const r = l.review;
  const model = l.model && r?.action === 'change' ? `; the model said ${l.model.options.map(optionName).join(', ')}` : '';
  return `${l.rationale}${conf}${r ? ` Reviewed: ${reviewWords(r, 'label')}${model}.` : ''}`;
}

const row = (r: LayoutRow) =>
  r.notApplicable
    ? `| ${r.dimension.title} | not applicable | ${NOT_APPLICABLE} |`
    : `| ${r.dimension.title} | ${optionText(r.label)} | ${cell(rationale(r.label))} |`;

/** One incident in the layout of FAIL's record page (see ../shared/reference/example-record.txt). */
export function toMarkdown(rec: ExportRecord, articles: ReadonlyMap<string, Article>): string {
  const l = recordLayout(rec, articles);
  const out = [
    `# Incident: ${l.title}`,
    '',
    `Published Date: ${l.published}`,
    '',
    `Incident id: \`${rec.id}\`${l.producedBy ? ` · ${l.producedBy}` : ''}`,
    '',
    '## Postmortem Analysis',
    '',
  ];
  if (l.summary) out.push(`**Summary** ${cell(l.summary)}`, '');
  for (const f of l.fields) out.push(`**${f.title}** ${f.facts ? factLine(f.facts) : 'not extracted yet'}`, '');
  for (const t of l.tables)
    out.push(`## ${t.title}`, '', `| ${t.head} | Option | Rationale |`, '| --- | --- | --- |', ...t.rows.map(row), '');
  out.push('## Sources', '');
  for (const { id, article: a } of l.sources) {
    // A pasted text often has no outlet, or no date: only what is known goes in the brackets.
    const about = [a?.source, a?.published].filter(Boolean).join(', ');
    out.push(`- Article ${id}: ${a ? cell(a.headline) : ''}${about ? ` (${about})` : ''}${a?.url ? ` <${a.url}>` : ''}`);
  }
  return `${out.join('\n')}\n`;
}
