import type { Article, ExportFact, ExportLabel, ExportRecord, TaxonomyDimension } from '../../../schemas/index.ts';
import { POSTMORTEM_TITLES, TAXONOMY, dimension, type PostmortemField } from '../../../schemas/index.ts';
import { escapeHtml as esc } from '../../text/html.ts';
import { NOT_APPLICABLE, articleRefs, optionName, recordLayout, reviewWords, type LayoutRow } from '../layout.ts';
import { markedText, type Span } from './spans.ts';

/** Only http(s) URLs become links: a javascript: URL in an article's metadata stays text. */
export function safeHref(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : null;
  } catch {
    return null;
  }
}

/** "Phase" for "Phase (Design/Operation)": legends and passage titles are short. */
const shortTitle = (d: TaxonomyDimension) => d.title.replace(/ \(.*\)$/, '');
const factKey = (field: string, idx: number) => `f-${field}-${idx}`;
const labelKey = (dim: string) => `l-${dim}`;
const articleAnchor = (id: string) => `article-${id}`;

const refs = (cs: readonly { articleId: string }[]) => {
  const ids = articleRefs(cs);
  return ids.length
    ? ` <span class="refs">[${ids.map((a) => `<a href="#${esc(encodeURIComponent(articleAnchor(a)))}">Article ${esc(a)}</a>`).join(', ')}]</span>`
    : '';
};

/** The button that shows an item's cited spans; an item citing nothing says so instead. */
function itemButton(key: string, group: string, name: string, inner: string, cited: number): string {
  // A span, not a <button>, so a long fact wraps as running text; the script gives it the keyboard.
  return `<span role="button" tabindex="0" class="item g-${group}${cited ? '' : ' uncited'}" data-key="${key}" data-name="${esc(name)}" id="item-${key}" title="${cited ? `Show its ${cited} cited passage(s) in the articles` : 'No cited passage'}">${inner}</span>`;
}

function factItem(field: PostmortemField, idx: number, f: ExportFact): string {
  const r = f.review;
  const text = r?.action === 'unknown' ? `<s>${esc(f.text)}</s>` : esc(f.text);
  const review = r
    ? ` <span class="review">${esc(reviewWords(r, 'fact'))}${r.action === 'change' && f.model ? `; the model said: <q>${esc(f.model.text)}</q>` : ''}</span>`
    : '';
  return `<li class="fact${r ? ` reviewed ${r.action}` : ''}">${itemButton(factKey(field, idx), `f-${field}`, `${POSTMORTEM_TITLES[field]} #${idx + 1}`, text, f.citations.length)}${refs(f.citations)}${review}</li>`;
}

const chips = (options: readonly string[], cls = '') =>
  `<span class="chips">${options.map((o) => `<span class="chip${cls}${o === 'unknown' ? ' unknown' : ''}">${esc(optionName(o))}</span>`).join('')}</span>`;

function labelCells(l: ExportLabel | undefined): string {
  if (!l) return `<td>${chips(['unknown'])}</td><td class="rationale muted">Not labelled.</td>`;
  const r = l.review;
  const model = r && l.model && r.action !== 'accept' ? ` <span class="model-said">model: ${chips(l.model.options, ' struck')}</span>` : '';
  const conf = l.confidence !== null ? ` <span class="muted">(confidence ${l.confidence.toFixed(2)})</span>` : '';
  return `<td>${chips(l.options, r ? ' reviewed' : '')}${model}</td><td class="rationale">${esc(l.rationale)}${conf}${refs(l.citations)}${r ? ` <span class="review">Reviewed: ${esc(reviewWords(r, 'label'))}${r.note ? ` — ${esc(r.note)}` : ''}</span>` : ''}</td>`;
}

function row(r: LayoutRow): string {
  const d = r.dimension;
  if (r.notApplicable)
    return `<tr class="na"><td class="dim">${esc(d.title)}</td><td>not applicable</td><td class="rationale muted">${esc(NOT_APPLICABLE)}</td></tr>`;
  return `<tr><td class="dim">${itemButton(labelKey(d.key), `l-${d.key}`, shortTitle(d), esc(d.title).replace(/\//g, '/<wbr>'), r.label?.citations.length ?? 0)}</td>${labelCells(r.label)}</tr>`;
}

/** Every cited span of the record, per article, named and coloured by its fact's field or its label's dimension. */
function spansByArticle(rec: ExportRecord, layout: ReturnType<typeof recordLayout>): Map<string, Span[]> {
  const out = new Map<string, Span[]>();
  const add = (cs: readonly ExportFact['citations'][number][], key: string, group: string, name: string) => {
    for (const c of cs)
      out.set(c.articleId, [...(out.get(c.articleId) ?? []), { start: c.start, end: c.end, key, group, name, alignment: c.alignment }]);
  };
  for (const f of layout.fields)
    f.facts?.forEach((fact, i) => add(fact.citations, factKey(f.field, i), `f-${f.field}`, `${f.title} #${i + 1}`));
  for (const l of rec.labels) add(l.citations, labelKey(l.dimension), `l-${l.dimension}`, shortTitle(dimension(l.dimension)));
  return out;
}

function articleBlock(id: string, a: Article | undefined, spans: Span[]): string {
  if (!a)
    return `<article class="source" id="${esc(articleAnchor(id))}"><h3>Article ${esc(id)}</h3><p class="muted">Not in the store.</p></article>`;
  const href = safeHref(a.url);
  const meta = [a.source, a.published]
    .filter(Boolean)
    .map((x) => esc(x!))
    .join(' · ');
  return `<article class="source" id="${esc(articleAnchor(id))}"><div class="source-id">Article ${esc(id)}</div><h3>${esc(a.headline)}</h3>
<div class="muted">${meta}${href ? ` · <a href="${esc(href)}" rel="noopener noreferrer">source</a>` : ''}</div>
<div class="article-text">${markedText(a.text, spans)}</div></article>`;
}

/** The body of one incident's page: the record in the example record's layout beside its articles, every cited span marked. */
export function recordBody(rec: ExportRecord, articles: ReadonlyMap<string, Article>): string {
  const l = recordLayout(rec, articles);
  const spans = spansByArticle(rec, l);
  const groups = [
    ...new Set(
      [...spans.values()]
        .flat()
        .filter((s) => s.alignment !== 'unaligned')
        .map((s) => s.group),
    ),
  ];
  const names = new Map<string, string>([
    ...l.fields.map((f) => [`f-${f.field}`, f.title] as const),
    ...TAXONOMY.map((d) => [`l-${d.key}`, shortTitle(d)] as const),
  ]);
  const fields = l.fields
    .map(
      (f) =>
        `<dt><span class="swatch g-f-${f.field}"></span>${esc(f.title)}</dt><dd>${
          !f.facts
            ? '<span class="muted">not extracted yet</span>'
            : f.facts.length
              ? `<ol>${f.facts.map((x, i) => factItem(f.field, i, x)).join('')}</ol>`
              : '<span class="muted">unknown</span>'
        }</dd>`,
    )
    .join('\n');
  const tables = l.tables
    .map(
      (t) => `<h2>${esc(t.title)}</h2>
<div class="scroll"><table class="taxonomy"><thead><tr><th>${esc(t.head)}</th><th>Option</th><th>Rationale</th></tr></thead><tbody>
${t.rows.map(row).join('\n')}
</tbody></table></div>`,
    )
    .join('\n');
  const sources = l.sources
    .map(({ id, article: a }) => {
      const href = safeHref(a?.url);
      return `<li>Article ${esc(id)}: ${a ? `<a href="#${esc(encodeURIComponent(articleAnchor(id)))}">${esc(a.headline)}</a>` : ''} (${[
        a?.source,
        a?.published,
      ]
        .filter(Boolean)
        .map((x) => esc(x!))
        .join(
          ', ',
        )})${href ? ` <a class="url" href="${esc(href)}" rel="noopener noreferrer">${esc(href)}</a>` : a?.url ? ` <span class="url">${esc(a.url)}</span>` : ''}</li>`;
    })
    .join('\n');
  return `<header class="top"><a href="../index.html">← All incidents</a><span class="brand">failscope</span></header>
<div class="layout">
<main class="record">
<h1>Incident: ${esc(l.title)}</h1>
<p class="published">Published Date: ${esc(l.published)}</p>
<p class="muted small">Incident id ${esc(rec.id)}${l.producedBy ? ` · ${esc(l.producedBy)}` : ''}</p>
<h2>Postmortem Analysis</h2>
${l.summary ? `<p class="summary"><b>Summary</b> ${esc(l.summary)}</p>` : ''}
<dl class="postmortem">
${fields}
</dl>
${tables}
<h2>Sources</h2>
<ul class="source-list">
${sources}
</ul>
</main>
<aside class="articles" aria-label="Articles with cited passages">
<h2>Articles <span class="muted small">— click a fact or label to see its passages; click a passage to see what cites it</span></h2>
<p class="legend">${groups.map((g) => `<button type="button" class="legend-chip g-${g}" data-group="${g}" aria-pressed="true"><span class="swatch g-${g}"></span>${esc(names.get(g) ?? g)}</button>`).join('')}</p>
<p class="status" id="status" role="status" aria-live="polite"></p>
${l.sources.map(({ id, article: a }) => articleBlock(id, a, spans.get(id) ?? [])).join('\n')}
</aside>
</div>`;
}
