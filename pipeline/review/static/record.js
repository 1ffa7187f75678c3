import { append, chips, clear, h, safeHref, toast } from './dom.js';
import { get } from './api.js';
import { articlesPanel, citingItems, revealCurrent } from './citing.js';
import { state } from './state.js';

const TABLES = [
  ['faults', 'Software Taxonomy of Faults', 'Category'],
  ['iot', 'IoT System Layer', 'Layer'],
  ['other', 'Other Details', 'Category'],
];

/** One incident in the layout of FAIL's record page, with the reviewer's decisions beside the model's labels. */
export function mountRecord(main, id) {
  const meta = state.meta;
  const root = h('div', { class: 'record' }, h('p', { class: 'empty' }, 'Loading…'));
  main.append(h('div', { class: 'page' }, root));

  get(`/api/incidents/${encodeURIComponent(id)}`).then(render, (e) => {
    append(clear(root), [h('p', { class: 'empty' }, e.message), h('a', { href: '#/browse' }, '← All incidents')]);
    toast(e.message, 'error');
  });

  function render(d) {
    const labels = new Map();
    for (const l of d.labels) if (!labels.has(l.dimension) || l.producer === d.producer) labels.set(l.dimension, l);
    const reviewed = new Map(d.latest.filter((x) => x.kind === 'label').map((x) => [x.target, x]));
    const factReviews = new Map(d.latest.filter((x) => x.kind === 'fact').map((x) => [`${x.producer}|${x.target}`, x]));
    const cps = (reviewed.get('cps')?.options ?? labels.get('cps')?.options ?? []).includes('true');
    const citing = citingItems(d, meta);
    const sources = articlesPanel(d, citing, null, () => {});
    const refs = (cs) => [...new Set(cs.map((c) => c.articleId))];
    const refLinks = (cs) => {
      const ids = refs(cs);
      return ids.length
        ? [
            ' [',
            ids.map((a, i) => [
              i ? ', ' : '',
              h('button', { type: 'button', class: 'link ref', onclick: () => revealCurrent(sources, a) }, `Article ${a}`),
            ]),
            ']',
          ]
        : null;
    };
    const pmFacts = d.facts.filter((f) => f.producer === d.producer);
    const p = d.postmortemProvenance;

    append(clear(root), [
      h(
        'div',
        { class: 'record-actions' },
        h('a', { href: '#/browse' }, '← All incidents'),
        h('a', { class: 'button primary', href: `#/queue?incident=${encodeURIComponent(d.id)}` }, 'Review this incident'),
      ),
      h('h1', {}, `Incident: ${d.title}`),
      h('p', { class: 'published' }, `Published Date: ${d.published ?? 'unknown'}`),
      h('p', { class: 'muted' }, `Incident id ${d.id}${p ? ` · produced by ${p.backend} (${p.model}), run ${p.runId}` : ''}`),
      h('h2', {}, 'Postmortem Analysis'),
      d.summary ? h('p', { class: 'summary' }, h('b', {}, 'Summary '), d.summary) : null,
      h(
        'dl',
        { class: 'postmortem' },
        Object.entries(meta.postmortemTitles).flatMap(([field, title]) => {
          const facts = pmFacts.filter((f) => f.field === field);
          return [
            h('dt', {}, title),
            h(
              'dd',
              {},
              facts.length
                ? h(
                    'ol',
                    {},
                    facts.map((f) => {
                      const r = factReviews.get(`${f.producer}|${f.target}`);
                      return h(
                        'li',
                        { class: r ? `reviewed ${r.action}` : '' },
                        r?.action === 'change' ? r.text : f.text,
                        refLinks(f.citations),
                        r
                          ? h(
                              'span',
                              { class: 'review-tag', title: `by ${r.reviewer}` },
                              r.action === 'unknown' ? ' unsupported' : r.action === 'change' ? ' corrected' : ' ✓',
                            )
                          : null,
                      );
                    }),
                  )
                : h('span', { class: 'muted' }, 'unknown'),
            ),
          ];
        }),
      ),
      TABLES.map(([section, title, head]) => [
        h('h2', {}, title),
        h(
          'table',
          { class: 'taxonomy' },
          h('thead', {}, h('tr', {}, h('th', {}, head), h('th', {}, 'Option'), h('th', {}, 'Rationale'), h('th', {}, 'Reviewed'))),
          h(
            'tbody',
            {},
            meta.taxonomy
              .filter((dim) => dim.section === section)
              .map((dim) => {
                const l = labels.get(dim.key);
                const r = reviewed.get(dim.key);
                if (dim.iotOnly && !cps)
                  return h(
                    'tr',
                    { class: 'na' },
                    h('td', {}, dim.title),
                    h('td', {}, 'not applicable'),
                    h('td', { class: 'muted' }, 'The system is not cyber-physical, so IoT layers are not labelled.'),
                    h('td', {}),
                  );
                return h(
                  'tr',
                  {},
                  h('td', { class: 'dim' }, dim.title),
                  h('td', {}, l ? chips(l.options) : h('span', { class: 'muted' }, 'unknown')),
                  h(
                    'td',
                    { class: 'rationale' },
                    l?.rationale ?? 'Not labelled.',
                    l ? h('span', { class: 'muted' }, ` (confidence ${l.confidence.toFixed(2)})`) : null,
                    l ? refLinks(l.citations) : null,
                  ),
                  h(
                    'td',
                    { class: 'review-cell' },
                    r
                      ? [
                          chips(r.options, r.action === 'accept' ? 'agree' : 'reviewer'),
                          h('div', { class: 'muted small' }, `${r.action} · ${r.reviewer}`),
                        ]
                      : h('span', { class: 'muted' }, '—'),
                  ),
                );
              }),
          ),
        ),
      ]),
      h('h2', {}, 'Sources'),
      h(
        'ul',
        { class: 'source-list' },
        d.articles.map((a) => {
          const href = a.url ? safeHref(a.url) : null;
          return h(
            'li',
            {},
            `Article ${a.id}: `,
            h('b', {}, a.headline),
            ` (${[a.source, a.published].filter(Boolean).join(', ')})`,
            href ? [' ', h('a', { href, rel: 'noopener noreferrer', target: '_blank' }, href)] : a.url ? ` ${a.url}` : null,
          );
        }),
      ),
      h('h2', {}, 'Article texts ', h('span', { class: 'muted' }, '— cited passages highlighted')),
      sources,
    ]);
  }

  return {
    keydown: (e) => {
      if (e.key === 'r') {
        location.hash = `#/queue?incident=${encodeURIComponent(id)}`;
        return true;
      }
      return false;
    },
    unmount() {},
  };
}
