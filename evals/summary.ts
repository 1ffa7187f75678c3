import type { Scorecard } from './scorecard.ts';
import { type Table, keyFigures, sections } from './tables.ts';

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** A count with its share of a whole, as the tables show it: "14 (0.23)"; the count alone when the whole is 0. */
export const countShare = (n: number, of: number): string => (of ? `${n} (${(n / of).toFixed(2)})` : `${n}`);

export function markdownTable(t: Table): string {
  const lines = [
    ...(t.caption ? [`*${t.caption}*`, ''] : []),
    `| ${t.headers.map(cell).join(' | ')} |`,
    `|${t.headers.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`,
    ...t.rows.map((r, i) => `| ${r.map((c, j) => (t.strong?.includes(i) && j === 0 && c ? `**${cell(c)}**` : cell(c))).join(' | ')} |`),
  ];
  return lines.join('\n');
}

/** Which model answered, what it learned from, and whether it was cross-fitted for this gold set. */
export function learningNote(s: Scorecard): string {
  const l = s.run.learning;
  if (!l) return '';
  const from = l.learnedFrom.length ? `learned from ${l.learnedFrom.join(', ')}` : 'learned from no labelled folder';
  if (!l.crossFit) return `Model: ${s.run.model}, ${from}; it learned nothing from this gold set, so every item is scored as held out.`;
  const c = l.crossFit;
  return (
    `Model: ${s.run.model}, ${from}. It learned from ${c.learnedIncidents} incident(s) and ${c.learnedArticles} article(s) of this gold set ` +
    `(${c.sources.join(', ')}), so the eval is **cross-fitted**: ${c.folds} folds by incident, each item answered by a version ` +
    "learned without its fold (its own labels and its incident's articles)."
  );
}

/** summary.md: the key figures first, then every stage's table and the rule it was scored by. */
export function renderSummary(s: Scorecard): string {
  const out = [
    `# Eval: ${s.goldSet.name} · ${s.run.backend} (${s.run.model})`,
    '',
    `Gold: \`${s.goldSet.dir}\` — ${s.goldSet.articles} articles, ${s.goldSet.incidents} incidents${s.goldSet.problems.length ? `, ${s.goldSet.problems.length} gold line(s) skipped` : ''}. ` +
      `Run ${s.run.runId}; ${s.run.duplicates} duplicate article(s); ${s.run.failedJobs} failed job(s)` +
      `${s.run.regrouped ? `; ${s.run.regrouped} article(s) an earlier eval grouped under other inputs (model, grouping method or articles), grouped anew` : ''}. ` +
      `Time: ${Object.entries(s.run.seconds)
        .map(([k, v]) => `${k} ${v.toFixed(1)} s`)
        .join(', ')}.` +
      (s.run.prompts
        ? ` Prompt hashes (what each task asked with; \`eval compare\` names those that differ): ${Object.entries(s.run.prompts)
            .map(([t, h]) => `${t} ${h.slice(0, 8)}`)
            .join(', ')}.`
        : ''),
    '',
    learningNote(s),
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
