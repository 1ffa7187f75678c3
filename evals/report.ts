import type { Scorecard } from './scorecard.ts';
import { escapeHtml as esc } from '../pipeline/text/html.ts';
import { GENERATOR_META } from '../pipeline/export/marks.ts';
import { type Table, keyFigures, sections, systemName } from './tables.ts';
import { type ItemTable, type ReportDetail, itemTables } from './item-tables.ts';
import { dimensionBars, groupingBars, optionErrors, postmortemBars, reliability, renderSvg, screeningConfusion } from './charts.ts';
import { learningNote } from './summary.ts';

function htmlTable(t: Table, anchors: ReadonlySet<string>): string {
  const groups = t.groups ? `<tr class="groups">${t.groups.map((g) => `<th colspan="${g.span}">${esc(g.label)}</th>`).join('')}</tr>` : '';
  const numeric = (c: string | undefined, j: number) => j > 0 && c !== undefined && /^[\d—+-]/.test(c);
  const head = `${groups}<tr>${(t.short ?? t.headers).map((h, j) => `<th${numeric(t.rows[0]?.[j], j) ? ' class="num"' : ''}>${esc(h)}</th>`).join('')}</tr>`;
  const cellHtml = (c: string, i: number, j: number) => {
    const link = j === 0 ? t.links?.[i] : null;
    const cls = [numeric(c, j) ? 'num' : '', c.includes('\n') ? 'lines' : ''].filter(Boolean).join(' ');
    const inner = link && anchors.has(link) ? `<a href="#${link}" title="The items behind these figures">${esc(c)}</a>` : esc(c);
    return `<td${cls ? ` class="${cls}"` : ''}>${inner}</td>`;
  };
  const body = t.rows
    .map((r, i) => {
      const cls = [t.strong?.includes(i) ? 'ours' : '', t.rowClass?.[i] ?? ''].filter(Boolean).join(' ');
      return `<tr${cls ? ` class="${cls}"` : ''}>${r.map((c, j) => cellHtml(c, i, j)).join('')}</tr>`;
    })
    .join('\n');
  return `<div class="scroll"><table>${t.caption ? `<caption>${esc(t.caption)}</caption>` : ''}<thead>${head}</thead><tbody>${body}</tbody></table></div>`;
}

/**
 * The items behind a section's figures, folded away. Each anchor sits inside its <details>: following a
 * link to it makes the browser open every <details> around it, with no script.
 */
function itemsBlock(group: { id?: string; tables: ItemTable[] } | undefined, anchors: ReadonlySet<string>): string {
  if (!group?.tables.length) return '';
  return `<details class="items"><summary>Items behind these figures: gold against predicted</summary>${group.id ? `<div id="${group.id}" class="target"></div>` : ''}
${group.tables.map((t) => `<details class="item-table"><summary>${esc(t.title)} <span class="muted">(${t.rows.length}${t.rowClass ? `, ${t.rowClass.filter((c) => c === 'wrong').length} wrong` : ''})</span></summary><div id="${t.id}" class="target">${htmlTable(t, anchors)}</div></details>`).join('\n')}
</details>`;
}

const CSS = `
:root { --ink:#1d2330; --muted:#5d6577; --line:#e3e6ee; --ours:#3b6fd8; --bg:#f6f7fb; --wrong:#fff1f0; }
* { box-sizing: border-box; }
body { margin:0; font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif; color:var(--ink); background:var(--bg); overflow-wrap:break-word; }
header { background:#1d2330; color:#fff; padding:28px 40px 22px; }
header h1 { margin:0 0 6px; font-size:24px; font-weight:650; }
header p { margin:0; color:#c9cfdc; font-size:14px; }
nav { padding:10px 40px; background:#fff; border-bottom:1px solid var(--line); position:sticky; top:0; z-index:1; display:flex; flex-wrap:wrap; gap:4px 18px; }
nav a { color:var(--ours); text-decoration:none; font-size:14px; }
main { max-width:1240px; margin:0 auto; padding:12px 40px 60px; }
section { background:#fff; border:1px solid var(--line); border-radius:10px; padding:18px 24px 20px; margin:22px 0; min-width:0; }
h2 { font-size:19px; margin:0 0 12px; }
a { color:var(--ours); }
.muted { color:var(--muted); font-weight:400; }
.note { color:var(--muted); font-size:13px; margin:12px 0 0; border-left:3px solid var(--line); padding-left:10px; }
.scroll { overflow-x:auto; max-width:100%; }
table { border-collapse:collapse; font-size:13.5px; margin:6px 0 10px; min-width:50%; }
caption { text-align:left; font-weight:600; padding:4px 0; color:var(--muted); }
th, td { padding:5px 9px; border-bottom:1px solid var(--line); text-align:left; white-space:nowrap; vertical-align:top; }
th { font-weight:600; color:var(--muted); background:#fafbfd; }
tr.groups th { text-align:center; color:var(--ink); border-bottom:2px solid var(--line); }
tr.groups th:not(:first-child) { border-left:6px solid #fff; }
.num { text-align:right; font-variant-numeric:tabular-nums; }
td.lines { white-space:pre-line; min-width:16em; max-width:34em; }
tr.ours td { font-weight:600; background:#f1f5fe; }
tr.wrong td { background:var(--wrong); }
.chart { margin:14px 0 4px; }
.chart svg { display:block; width:100%; height:auto; }
.key td:nth-child(2) { color:var(--ours); font-weight:600; }
.target { scroll-margin-top:80px; }
details.items { margin-top:14px; border-top:1px solid var(--line); padding-top:10px; }
details summary { cursor:pointer; font-weight:600; color:var(--ours); }
details.item-table { margin:8px 0 8px 14px; }
details.item-table summary { font-weight:500; color:var(--ink); }
footer { color:var(--muted); font-size:12px; text-align:center; padding:0 0 30px; }
@media (max-width: 700px) {
  header { padding:18px 14px 14px; }
  nav { padding:8px 14px; }
  main { padding:6px 8px 40px; }
  section { padding:14px 12px; margin:14px 0; }
  table { font-size:12.5px; min-width:0; }
  th, td { padding:4px 6px; white-space:normal; }
  td.num { white-space:nowrap; }
  .key table { width:100%; }
  details.item-table { margin-left:0; }
}
`;

/** report.html: one self-contained page; the charts are inline SVG rendered by vega from vega-lite specs; with `detail`, the items behind every figure. */
export async function renderReport(s: Scorecard, detail?: ReportDetail): Promise<string> {
  const charts: Record<string, string[]> = {
    screening: [await renderSvg(screeningConfusion(s))],
    grouping: [await renderSvg(groupingBars(s))],
  };
  if (s.goldSet.incidents > 0) {
    charts.taxonomy = [
      await renderSvg(dimensionBars(s, 'exact', 'Exact-set match per dimension')),
      await renderSvg(dimensionBars(s, 'jaccard', 'Jaccard per dimension')),
      await renderSvg(optionErrors(s)),
    ];
    charts.postmortem = [await renderSvg(postmortemBars(s))];
    if (s.calibration.taxonomy.n) charts.calibration = [await renderSvg(reliability(s))];
  }
  const items = detail ? itemTables(detail) : {};
  const anchors = new Set(Object.values(items).flatMap((g) => [...(g.id ? [g.id] : []), ...g.tables.map((t) => t.id)]));
  const secs = sections(s);
  const body = secs
    .map(
      (sec) => `<section id="${sec.id}"><h2>${esc(sec.title)}</h2>
${sec.tables.map((t) => htmlTable(t, anchors)).join('\n')}
${(charts[sec.id] ?? []).map((svg) => `<div class="chart">${svg}</div>`).join('\n')}
${sec.note ? `<p class="note">${esc(sec.note)}</p>` : ''}
${itemsBlock(items[sec.id], anchors)}</section>`,
    )
    .join('\n');
  const key = keyFigures(s);
  const secsTime = Object.entries(s.run.seconds)
    .map(([k, v]) => `${k} ${v.toFixed(1)} s`)
    .join(' · ');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">${GENERATOR_META}
<title>failscope eval · ${esc(s.goldSet.name)}</title><style>${CSS}</style></head>
<body>
<header><h1>Eval · ${esc(s.goldSet.name)}</h1>
<p>${esc(systemName(s))} · ${s.goldSet.articles} articles, ${s.goldSet.incidents ? `${s.goldSet.incidents} gold incidents` : `${s.grouping.stage.pipeline.goldClusters} gold clusters`} · run ${esc(s.run.runId)} · ${esc(secsTime)}</p>
<p>${esc(learningNote(s).replace(/\*\*/g, ''))}</p></header>
<nav><a href="#key">Key figures</a>${secs.map((x) => `<a href="#${x.id}">${esc(x.title)}</a>`).join('')}</nav>
<main>
<section id="key" class="key"><h2>Key figures</h2>${htmlTable(key, anchors)}<p class="note">Each metric links to the items behind it, gold against predicted; rows shaded red are items the system got wrong.</p></section>
${body}
</main>
<footer>Generated ${esc(s.run.createdAt)} by failscope eval · gold ${esc(s.goldSet.dir)}</footer>
</body></html>
`;
}
