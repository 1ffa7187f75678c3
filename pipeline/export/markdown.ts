import type { Article, Citation, Fact, IncidentRecord, TaxonomyLabel } from '../../schemas/index.ts';
import { POSTMORTEM_FIELDS, POSTMORTEM_TITLES, TAXONOMY, type Section } from '../../schemas/index.ts';

const cell = (s: string) => s.replace(/\s+/g, ' ').replace(/\|/g, '\\|').trim();
const articleRefs = (cs: Citation[]) => [...new Set(cs.map((c) => c.articleId))];

function factLine(facts: Fact[]): string {
  if (facts.length === 0) return 'unknown';
  return facts.map((f, i) => {
    const refs = articleRefs(f.citations);
    return `${i + 1}. ${cell(f.text)}${refs.length ? ` [${refs.map((r) => `Article ${r}`).join(', ')}]` : ''}`;
  }).join(' ');
}

/** FAIL renders booleans as TRUE/FALSE; multi-label options as a comma list. */
const optionText = (l: TaxonomyLabel | undefined) => (l ? l.options.map((o) => (o === 'true' || o === 'false' ? o.toUpperCase() : o)).join(', ') : 'unknown');

function table(section: Section, head: string, labels: Map<string, TaxonomyLabel>, cps: boolean): string {
  const rows = TAXONOMY.filter((d) => d.section === section).map((d) => {
    const l = labels.get(d.key);
    if (d.iotOnly && !cps) return `| ${d.title} | not applicable | The system is not cyber-physical, so IoT layers are not labelled. |`;
    const conf = l ? ` (confidence ${l.confidence.toFixed(2)})` : '';
    return `| ${d.title} | ${optionText(l)} | ${cell(l?.rationale ?? 'Not labelled.')}${conf} |`;
  });
  return [`| ${head} | Option | Rationale |`, '| --- | --- | --- |', ...rows].join('\n');
}

/** One incident in the layout of FAIL's record page (see ../shared/reference/example-record.txt). */
export function toMarkdown(rec: IncidentRecord, articles: Map<string, Article>): string {
  const labels = new Map(rec.labels.map((l) => [l.dimension, l]));
  const cps = labels.get('cps')?.options.includes('true') ?? false;
  const pm = rec.postmortem;
  const out = [
    `# Incident: ${rec.title || rec.id}`,
    '',
    `Published Date: ${rec.published ?? 'unknown'}`,
    '',
    `Incident id: \`${rec.id}\`${rec.postmortemProvenance ? ` · produced by ${rec.postmortemProvenance.backend} (${rec.postmortemProvenance.model}), run ${rec.postmortemProvenance.runId}` : ''}`,
    '',
    '## Postmortem Analysis',
    '',
  ];
  if (pm?.summary) out.push(`**Summary** ${cell(pm.summary)}`, '');
  for (const f of POSTMORTEM_FIELDS) out.push(`**${POSTMORTEM_TITLES[f]}** ${pm ? factLine(pm[f]) : 'not extracted yet'}`, '');
  out.push('## Software Taxonomy of Faults', '', table('faults', 'Category', labels, cps), '');
  out.push('## IoT System Layer', '', table('iot', 'Layer', labels, cps), '');
  out.push('## Other Details', '', table('other', 'Category', labels, cps), '');
  out.push('## Sources', '');
  for (const id of rec.articleIds) {
    const a = articles.get(id);
    out.push(`- Article ${id}: ${a ? cell(a.headline) : ''}${a?.source ? ` (${a.source}` : ' ('}${a?.published ? `, ${a.published})` : ')'}${a?.url ? ` <${a.url}>` : ''}`);
  }
  return `${out.join('\n')}\n`;
}
