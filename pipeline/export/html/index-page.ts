import type { ExportRecord } from '../../../schemas/index.ts';
import { POSTMORTEM_FIELDS, TAXONOMY, optionKeys } from '../../../schemas/index.ts';
import { escapeHtml as esc } from '../../text/html.ts';
import { optionName } from '../layout.ts';

/** A record's page, relative to the index. Ids are kept to safe file-name characters. */
export const recordFile = (id: string) => `incidents/${id.replace(/[^A-Za-z0-9._-]/g, '_')}.html`;

/**
 * The index: every incident with its labels, and filters (search, and taxonomy options with how many
 * incidents have each). An incident matches an option when its label has it, whatever else the label
 * holds; options of one dimension widen the match, different dimensions narrow it (as the review page's
 * Browse does). Each row carries what the filters read as data attributes, escaped; the script reads the DOM.
 */
export function indexBody(records: readonly ExportRecord[]): string {
  const counts = new Map<string, number>();
  for (const r of records)
    for (const l of r.labels) for (const o of l.options) counts.set(`${l.dimension}:${o}`, (counts.get(`${l.dimension}:${o}`) ?? 0) + 1);
  const facets = TAXONOMY.map((d) => {
    const opts = optionKeys(d.key).filter((o) => counts.get(`${d.key}:${o}`));
    if (!opts.length) return '';
    return `<div class="facet"><div class="facet-title">${esc(d.title)}</div><div class="facet-options">${opts
      .map(
        (o) =>
          `<button type="button" class="opt" data-dim="${esc(d.key)}" data-opt="${esc(o)}" aria-pressed="false">${esc(optionName(o))} <span class="n">${counts.get(`${d.key}:${o}`)}</span></button>`,
      )
      .join('')}</div></div>`;
  }).join('\n');
  const rows = records
    .map((r) => {
      const reviewed =
        r.labels.filter((l) => l.review).length + POSTMORTEM_FIELDS.flatMap((f) => r.postmortem?.[f] ?? []).filter((f) => f.review).length;
      const labels = r.labels.flatMap((l) => l.options.map((o) => `${l.dimension}:${o}`)).join(' ');
      const dims = new Map(r.labels.map((l) => [l.dimension, l]));
      const shown = TAXONOMY.filter((d) => d.section !== 'hidden' && dims.get(d.key))
        .map((d) => {
          const l = dims.get(d.key)!;
          return `<span class="lbl${l.review ? ' reviewed' : ''}"><span class="lbl-dim">${esc(d.title.replace(/ \(.*\)$/, ''))}</span> ${l.options.map((o) => esc(optionName(o))).join(', ')}</span>`;
        })
        .join('');
      const text = `${r.title} ${r.postmortem?.summary ?? ''}`.toLowerCase();
      return `<li class="incident" data-labels="${esc(labels)}" data-text="${esc(text)}">
<a class="incident-link" href="${esc(recordFile(r.id))}">${esc(r.title || r.id)}</a>
<div class="muted small">${esc(r.published ?? 'unknown date')} · ${r.articleIds.length} article(s) · ${esc(r.id)}${reviewed ? ` · <span class="reviewed-badge">${reviewed} reviewed</span>` : ''}</div>
${r.postmortem?.summary ? `<p class="summary">${esc(r.postmortem.summary)}</p>` : ''}
<div class="labels">${shown}</div></li>`;
    })
    .join('\n');
  return `<header class="top"><span class="brand">failscope</span><span class="muted small">${records.length} incident record(s)</span></header>
<div class="index-layout">
<aside class="filters" aria-label="Filters">
<input type="search" id="q" placeholder="Search titles and summaries" aria-label="Search titles and summaries">
<p class="count"><b id="shown">${records.length}</b> of ${records.length} incidents <button type="button" id="clear" class="link">clear filters</button></p>
<details class="facets" open><summary>Taxonomy options</summary>
${facets}
</details>
</aside>
<main class="index">
<ol class="incidents">
${rows}
</ol>
<p class="empty" id="none" hidden>${records.length ? 'No incident matches these filters.' : 'This export holds no incident records: none were made yet, or no article was screened as a failure report.'}</p>
</main>
</div>`;
}
