import { append, chips, clear, fmtDate, h, kbd, optionLabel, toast } from './dom.js';
import { get } from './api.js';
import { state } from './state.js';

const SECTIONS = [
  ['faults', 'Software Taxonomy of Faults'],
  ['other', 'Other Details'],
  ['hidden', 'Cyber-physical system'],
  ['iot', 'IoT System Layer'],
];
const SHOWN = ['domain', 'behaviour', 'consequence'];

/**
 * The incident list: text search and taxonomy filters. An incident matches an option when its label
 * has it, whatever else the label holds; options of one dimension widen the match (any of them),
 * filters on different dimensions narrow it (all of them).
 */
export function mountBrowse(main, params) {
  const meta = state.meta;
  let q = params.get('q') ?? '';
  const selected = new Set(params.getAll('option'));
  let results = [];
  let cursor = -1;

  const search = h('input', {
    type: 'search',
    class: 'search',
    placeholder: 'Search titles, summaries and article text',
    'aria-label': 'Search',
    value: q,
  });
  let timer;
  search.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      q = search.value;
      load();
    }, 200);
  });
  search.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') search.blur();
    if (e.key === 'Enter') {
      e.preventDefault();
      clearTimeout(timer);
      q = search.value;
      load();
      search.blur();
    }
  });
  const facets = h('div', { class: 'facets' });
  const list = h('ol', { class: 'incident-list' });
  const summary = h('div', { class: 'browse-summary' });

  main.append(
    h(
      'div',
      { class: 'split browse' },
      h('aside', { class: 'queue-pane facets-pane' }, h('div', { class: 'search-row' }, search, kbd('/')), facets),
      h('section', { class: 'detail-pane' }, summary, list),
    ),
  );

  function toggle(key) {
    if (selected.has(key)) selected.delete(key);
    else selected.add(key);
    load();
  }

  function renderFacets(counts) {
    clear(facets);
    if (selected.size)
      facets.append(
        h(
          'button',
          {
            type: 'button',
            class: 'link clear-all',
            onclick: () => {
              selected.clear();
              load();
            },
          },
          `Clear ${selected.size} filter(s)`,
        ),
      );
    for (const [section, title] of SECTIONS) {
      facets.append(h('h4', { class: 'facet-section' }, title));
      for (const dim of meta.taxonomy.filter((d) => d.section === section)) {
        const opts = [...dim.options.map((o) => o.key), 'unknown'];
        facets.append(
          h(
            'div',
            { class: 'facet' },
            h('div', { class: 'facet-title' }, dim.title),
            h(
              'div',
              { class: 'facet-options' },
              opts.map((o) => {
                const key = `${dim.key}:${o}`;
                const n = counts[dim.key]?.[o] ?? 0;
                const on = selected.has(key);
                return h(
                  'button',
                  {
                    type: 'button',
                    class: `facet-chip ${on ? 'on' : ''} ${n === 0 && !on ? 'zero' : ''}`,
                    'aria-pressed': on ? 'true' : 'false',
                    title: dim.options.find((x) => x.key === o)?.definition ?? 'The articles do not say.',
                    dataset: { option: key },
                    onclick: () => toggle(key),
                  },
                  optionLabel(o),
                  h('span', { class: 'count' }, String(n)),
                );
              }),
            ),
          ),
        );
      }
    }
  }

  function row(inc, i) {
    const reviewed = inc.reviewed.length;
    return h(
      'li',
      { class: `incident-row ${i === cursor ? 'active' : ''}`, dataset: { index: String(i) } },
      h('a', { href: `#/incident/${encodeURIComponent(inc.id)}`, class: 'incident-link' }, inc.title),
      h(
        'div',
        { class: 'muted' },
        `${fmtDate(inc.published)} · ${inc.articles} article(s) · `,
        reviewed ? h('span', { class: 'reviewed-badge' }, `✓ ${reviewed} reviewed`) : 'not reviewed',
      ),
      h(
        'div',
        { class: 'row-labels' },
        SHOWN.map((d) =>
          h(
            'span',
            { class: 'row-label' },
            h('span', { class: 'k' }, meta.taxonomy.find((x) => x.key === d).title),
            chips(inc.labels[d] ?? [], 'small'),
          ),
        ),
      ),
    );
  }

  let loads = 0;
  async function load() {
    const mine = ++loads;
    const p = new URLSearchParams();
    if (q.trim()) p.set('q', q.trim());
    for (const o of selected) p.append('option', o);
    history.replaceState(null, '', `#/browse${p.size ? `?${p}` : ''}`);
    let r;
    try {
      r = await get(`/api/incidents?${p}`);
    } catch (e) {
      toast(e.message, 'error');
      return;
    }
    if (mine !== loads) return;
    results = r.incidents;
    cursor = -1;
    renderFacets(r.facets);
    append(clear(summary), [
      h('h2', {}, `${r.total} incident${r.total === 1 ? '' : 's'}`),
      selected.size || q.trim()
        ? h(
            'div',
            { class: 'active-filters' },
            q.trim() ? h('span', { class: 'chip filter' }, `“${q.trim()}”`) : null,
            [...selected].map((k) =>
              h(
                'span',
                { class: 'chip filter' },
                k.replace(':', ': '),
                h('button', { type: 'button', class: 'chip-x', 'aria-label': `Remove ${k}`, onclick: () => toggle(k) }, '×'),
              ),
            ),
          )
        : null,
    ]);
    clear(list);
    if (!results.length) list.append(h('li', { class: 'empty' }, 'No incident matches. Remove a filter or change the search.'));
    results.forEach((inc, i) => list.append(row(inc, i)));
  }

  function move(i) {
    if (!results.length) return;
    list.querySelector('.active')?.classList.remove('active');
    cursor = Math.max(0, Math.min(results.length - 1, i));
    const li = list.querySelector(`[data-index="${cursor}"]`);
    li.classList.add('active');
    li.scrollIntoView({ block: 'nearest' });
  }

  function keydown(e) {
    if (e.key === '/') {
      search.focus();
      search.select();
      return true;
    }
    if (e.key === 'j' || e.key === 'ArrowDown') {
      move(cursor + 1);
      return true;
    }
    if (e.key === 'k' || e.key === 'ArrowUp') {
      move(cursor - 1);
      return true;
    }
    if ((e.key === 'Enter' || e.key === 'o') && cursor >= 0) {
      location.hash = `#/incident/${encodeURIComponent(results[cursor].id)}`;
      return true;
    }
    return false;
  }

  load();
  return { keydown, unmount() {} };
}
