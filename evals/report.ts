import type { Scorecard } from './scorecard.ts';
import { escapeHtml as esc } from '../pipeline/text/html.ts';
import { type Table, keyFigures, sections, systemName } from './tables.ts';
import { dimensionBars, groupingBars, optionConfusion, postmortemBars, reliability, renderSvg, screeningConfusion } from './charts.ts';


function htmlTable(t: Table): string {
  const groups = t.groups ? `<tr class="groups">${t.groups.map((g) => `<th colspan="${g.span}">${esc(g.label)}</th>`).join('')}</tr>` : '';
  const head = `${groups}<tr>${(t.short ?? t.headers).map((h, i) => `<th${i ? ' class="num"' : ''}>${esc(h)}</th>`).join('')}</tr>`;
  const body = t.rows.map((r, i) => `<tr${t.strong?.includes(i) ? ' class="ours"' : ''}>${r.map((c, j) => `<td${j && /^[\d—+-]/.test(c) ? ' class="num"' : ''}>${esc(c)}</td>`).join('')}</tr>`).join('\n');
  return `<div class="scroll"><table>${t.caption ? `<caption>${esc(t.caption)}</caption>` : ''}<thead>${head}</thead><tbody>${body}</tbody></table></div>`;
}

const CSS = `
:root { --ink:#1d2330; --muted:#5d6577; --line:#e3e6ee; --ours:#3b6fd8; --bg:#f6f7fb; }
* { box-sizing: border-box; }
body { margin:0; font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif; color:var(--ink); background:var(--bg); }
header { background:#1d2330; color:#fff; padding:28px 40px 22px; }
header h1 { margin:0 0 6px; font-size:24px; font-weight:650; }
header p { margin:0; color:#c9cfdc; font-size:14px; }
nav { padding:10px 40px; background:#fff; border-bottom:1px solid var(--line); position:sticky; top:0; }
nav a { color:var(--ours); text-decoration:none; margin-right:18px; font-size:14px; }
main { max-width:1240px; margin:0 auto; padding:12px 40px 60px; }
section { background:#fff; border:1px solid var(--line); border-radius:10px; padding:18px 24px 20px; margin:22px 0; }
h2 { font-size:19px; margin:0 0 12px; }
.note { color:var(--muted); font-size:13px; margin:12px 0 0; border-left:3px solid var(--line); padding-left:10px; }
.scroll { overflow-x:auto; }
table { border-collapse:collapse; font-size:13.5px; margin:6px 0 10px; min-width:50%; }
caption { text-align:left; font-weight:600; padding:4px 0; color:var(--muted); }
th, td { padding:5px 9px; border-bottom:1px solid var(--line); text-align:left; white-space:nowrap; }
th { font-weight:600; color:var(--muted); background:#fafbfd; }
tr.groups th { text-align:center; color:var(--ink); border-bottom:2px solid var(--line); }
tr.groups th:not(:first-child) { border-left:6px solid #fff; }
.num { text-align:right; font-variant-numeric:tabular-nums; }
tr.ours td { font-weight:600; background:#f1f5fe; }
.chart { margin:14px 0 4px; overflow-x:auto; }
.chart svg { max-width:100%; height:auto; }
.charts { display:flex; flex-wrap:wrap; gap:8px 28px; }
.key td:nth-child(2) { color:var(--ours); font-weight:600; }
footer { color:var(--muted); font-size:12px; text-align:center; padding:0 0 30px; }
`;

/** report.html: one self-contained page; the charts are inline SVG rendered by vega from vega-lite specs. */
export async function renderReport(s: Scorecard): Promise<string> {
  const charts: Record<string, string[]> = { screening: [await renderSvg(screeningConfusion(s))], grouping: [await renderSvg(groupingBars(s))] };
  if (s.goldSet.incidents > 0) {
    charts.taxonomy = [
      await renderSvg(dimensionBars(s, 'exact', 'Exact-set match per dimension')),
      await renderSvg(dimensionBars(s, 'jaccard', 'Jaccard per dimension')),
      await renderSvg(optionConfusion(s)),
    ];
    charts.postmortem = [await renderSvg(postmortemBars(s))];
    if (s.calibration.taxonomy.n) charts.calibration = [await renderSvg(reliability(s))];
  }
  const secs = sections(s);
  const body = secs.map((sec) => `<section id="${sec.id}"><h2>${esc(sec.title)}</h2>
${sec.tables.map(htmlTable).join('\n')}
<div class="charts">${(charts[sec.id] ?? []).map((svg) => `<div class="chart">${svg}</div>`).join('\n')}</div>
${sec.note ? `<p class="note">${esc(sec.note)}</p>` : ''}</section>`).join('\n');
  const key = keyFigures(s);
  const secsTime = Object.entries(s.run.seconds).map(([k, v]) => `${k} ${v.toFixed(1)} s`).join(' · ');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>failscope eval · ${esc(s.goldSet.name)}</title><style>${CSS}</style></head>
<body>
<header><h1>Eval · ${esc(s.goldSet.name)}</h1>
<p>${esc(systemName(s))} · ${s.goldSet.articles} articles, ${s.goldSet.incidents ? `${s.goldSet.incidents} gold incidents` : `${s.grouping.stage.pipeline.goldClusters} gold clusters`} · run ${esc(s.run.runId)} · ${esc(secsTime)}</p></header>
<nav><a href="#key">Key figures</a>${secs.map((x) => `<a href="#${x.id}">${esc(x.title)}</a>`).join('')}</nav>
<main>
<section id="key" class="key"><h2>Key figures</h2>${htmlTable(key)}</section>
${body}
</main>
<footer>Generated ${esc(s.run.createdAt)} by failscope eval · gold ${esc(s.goldSet.dir)}</footer>
</body></html>
`;
}
