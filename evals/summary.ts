import type { Scorecard } from './scorecard.ts';
import { type Table, keyFigures, sections } from './tables.ts';

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function markdownTable(t: Table): string {
  const lines = [
    ...(t.caption ? [`*${t.caption}*`, ''] : []),
    `| ${t.headers.map(cell).join(' | ')} |`,
    `|${t.headers.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`,
    ...t.rows.map((r, i) => `| ${r.map((c, j) => (t.strong?.includes(i) && j === 0 && c ? `**${cell(c)}**` : cell(c))).join(' | ')} |`),
  ];
  return lines.join('\n');
}

/** summary.md: the key figures first, then every stage's table and the rule it was scored by. */
export function renderSummary(s: Scorecard): string {
  const out = [
    `# Eval: ${s.goldSet.name} · ${s.run.backend} (${s.run.model})`,
    '',
    `Gold: \`${s.goldSet.dir}\` — ${s.goldSet.articles} articles, ${s.goldSet.incidents} incidents${s.goldSet.problems.length ? `, ${s.goldSet.problems.length} gold line(s) skipped` : ''}. `
      + `Run ${s.run.runId}; ${s.run.duplicates} duplicate article(s); ${s.run.failedJobs} failed job(s). `
      + `Time: ${Object.entries(s.run.seconds).map(([k, v]) => `${k} ${v.toFixed(1)} s`).join(', ')}.`,
    '',
    '## Key figures',
    '',
    markdownTable(keyFigures(s)),
  ];
  for (const sec of sections(s)) {
    out.push('', `## ${sec.title}`, '');
    for (const t of sec.tables) out.push(markdownTable(t), '');
    if (sec.note) out.push(`> ${sec.note}`);
  }
  if (s.goldSet.problems.length) {
    out.push('', '## Gold lines skipped', '', ...s.goldSet.problems.map((p) => `- ${p.origin}: ${p.reason}`));
  }
  return `${out.join('\n')}\n`;
}
