import { append, chips, clear, fmtDate, h, kbd, pct, toast } from './dom.js';
import { get, saveDecision } from './api.js';
import { reviewCard } from './card.js';
import { articlesPanel, citingItems, factKey, labelKey, revealCurrent } from './citing.js';
import { askReviewer, reviewerName, state } from './state.js';

const FILTERS_KEY = 'failscope.queue.filters';
const SELECTED_KEY = 'failscope.queue.selected';
const FILTER_NAMES = ['kind', 'dimension', 'backend', 'run', 'status', 'incident'];

const itemIdOf = (sel) =>
  sel.kind === 'label' ? `label:${sel.incidentId}:${sel.target}` : `fact:${sel.incidentId}:${sel.producer}:${sel.target}`;
const sameOptions = (set, list) => set.size === list.length && list.every((o) => set.has(o));

/** The triage view: the queue, most uncertain first, on the left; the item with its evidence on the right. */
export function mountQueue(main, params) {
  const meta = state.meta;
  let stored = {};
  try {
    stored = JSON.parse(localStorage.getItem(FILTERS_KEY) ?? '{}');
  } catch {
    /* a bad entry is ignored */
  }
  const filters = { kind: '', dimension: '', backend: '', run: '', status: 'open', incident: '' };
  for (const k of FILTER_NAMES) if (typeof stored[k] === 'string') filters[k] = stored[k];
  if (params.has('incident')) Object.assign(filters, { incident: params.get('incident'), status: 'all' });

  let items = [];
  let cursor = -1;
  let sel = null;
  let detail = null;
  let draft = { options: new Set(), mode: null };
  let counts = { total: 0, open: 0, reviewed: 0 };
  const details = new Map();
  // A list reload in flight: the card on screen may belong to the list being replaced.
  let listing = false;

  const list = h('ol', { class: 'queue-list', role: 'listbox', 'aria-label': 'Review queue' });
  const summary = h('div', { class: 'queue-summary' });
  const agreementLine = h('a', { class: 'agreement-line', href: '#/agreement' });
  const pane = h('section', { class: 'detail-pane review-pane', 'aria-live': 'polite' });
  const cardSlot = h('div', { class: 'card-col' });
  const articlesCol = h('div', { class: 'articles-col' });

  const select = (name, label, options) => {
    const el = h(
      'select',
      { 'aria-label': label, dataset: { filter: name } },
      options.map(([value, text]) => h('option', { value }, text)),
    );
    el.value = filters[name];
    el.addEventListener('change', () => {
      filters[name] = el.value;
      if (name === 'kind' && el.value === 'fact') filters.dimension = '';
      persist();
      load();
    });
    return el;
  };
  const filterBar = h(
    'div',
    { class: 'filters' },
    select('status', 'Status', [
      ['open', 'To review'],
      ['reviewed', 'Reviewed'],
      ['all', 'All'],
    ]),
    select('kind', 'Kind', [
      ['', 'Labels and facts'],
      ['label', 'Labels'],
      ['fact', 'Facts'],
    ]),
    select('dimension', 'Dimension', [['', 'All dimensions'], ...meta.taxonomy.map((d) => [d.key, d.title])]),
    select('backend', 'Backend', [['', 'All backends'], ...meta.producers.map((p) => [p, p])]),
    select('run', 'Run', [['', 'All runs'], ...[...meta.runs].reverse().map((r) => [r.id, `${r.id.replace(/^run-/, '')} (${r.backend})`])]),
  );
  const incidentChip = h('div', { class: 'incident-filter' });

  main.append(
    h(
      'div',
      { class: 'split' },
      h(
        'aside',
        { class: 'queue-pane' },
        filterBar,
        incidentChip,
        summary,
        list,
        h(
          'footer',
          { class: 'queue-foot' },
          agreementLine,
          h(
            'div',
            { class: 'hints' },
            kbd('j'),
            kbd('k'),
            ' move ',
            kbd('a'),
            ' accept ',
            kbd('1–9'),
            ' toggle ',
            kbd('Enter'),
            ' save ',
            kbd('u'),
            ' unknown ',
            kbd('n'),
            ' note ',
            kbd('?'),
            ' all',
          ),
        ),
      ),
      pane,
    ),
  );

  function persist() {
    const { incident, ...keep } = filters;
    localStorage.setItem(FILTERS_KEY, JSON.stringify(keep));
  }

  function renderSummary() {
    append(clear(summary), [
      h('span', {}, h('b', {}, String(counts.open)), ' to review'),
      h('span', {}, h('b', {}, String(counts.reviewed)), ' reviewed'),
      h('span', { class: 'muted' }, `${items.length} shown`),
    ]);
    clear(incidentChip);
    if (filters.incident) {
      incidentChip.append(
        h(
          'span',
          { class: 'chip filter' },
          `Incident ${filters.incident}`,
          h(
            'button',
            {
              type: 'button',
              class: 'chip-x',
              'aria-label': 'Clear incident filter',
              onclick: () => {
                filters.incident = '';
                location.hash = '#/queue';
              },
            },
            '×',
          ),
        ),
      );
    }
  }

  function itemRow(it, i) {
    const li = h(
      'li',
      {
        role: 'option',
        class: `queue-item ${it.decision ? 'done' : ''} ${i === cursor ? 'active' : ''}`,
        dataset: { index: String(i), id: it.id },
        onclick: () => selectIndex(i),
      },
      h(
        'div',
        { class: 'qi-top' },
        h('span', { class: `qi-kind ${it.kind}` }, it.kind === 'label' ? 'label' : 'fact'),
        h('span', { class: 'qi-heading' }, it.heading),
        it.decision
          ? h('span', { class: 'qi-done', title: `${it.decision.action} by ${it.decision.reviewer}` }, '✓')
          : h(
              'span',
              { class: 'qi-score', title: 'How much this item needs a look: the queue shows the highest first' },
              h('span', { class: 'qi-score-label' }, 'uncertainty '),
              it.score.toFixed(2),
            ),
      ),
      h('div', { class: 'qi-incident' }, it.incidentTitle),
      it.kind === 'label'
        ? h('div', { class: 'qi-body' }, chips(it.decision?.options ?? it.options, 'small'))
        : h('div', { class: 'qi-body qi-text' }, it.text),
      it.reasons.length
        ? h(
            'div',
            { class: 'qi-reasons' },
            it.reasons.map((r) => h('span', { class: 'reason' }, r)),
          )
        : null,
    );
    return li;
  }

  function renderList() {
    clear(list);
    if (!items.length)
      list.append(
        h(
          'li',
          { class: 'empty' },
          counts.open + counts.reviewed === 0
            ? 'This database holds no labels or facts yet: `failscope run` makes them.'
            : filters.status === 'open'
              ? 'Nothing left to review with these filters.'
              : 'No items match these filters.',
        ),
      );
    items.forEach((it, i) => list.append(itemRow(it, i)));
  }

  function refreshRow(i) {
    const old = list.querySelector(`[data-index="${i}"]`);
    old?.replaceWith(itemRow(items[i], i));
  }

  async function refreshAgreement() {
    try {
      const a = await get('/api/agreement');
      append(clear(agreementLine), [
        a.labels.reviewed
          ? ['Model and reviewers agree on ', h('b', {}, pct(a.labels.rate)), ` of ${a.labels.reviewed} reviewed label(s) →`]
          : 'No labels reviewed yet: agreement appears here →',
      ]);
    } catch {
      /* the line is optional */
    }
  }

  let loads = 0;
  async function load() {
    // Filters can change faster than the server answers: only the latest answer is shown.
    const mine = ++loads;
    // Busy until the selected item's card is shown (show() clears it), so nothing waits on a stale card:
    // a detail of the previous list arriving meanwhile is shown, but the pane stays busy.
    listing = true;
    pane.setAttribute('aria-busy', 'true');
    const q = new URLSearchParams();
    for (const k of FILTER_NAMES) if (filters[k]) q.set(k, filters[k]);
    q.set('limit', '2000');
    let r;
    try {
      r = await get(`/api/queue?${q}`);
    } catch (e) {
      if (mine === loads) {
        listing = false;
        pane.removeAttribute('aria-busy');
      }
      toast(e.message, 'error');
      return;
    }
    if (mine !== loads) return;
    listing = false;
    items = r.items;
    counts = r;
    renderSummary();
    const keep = sel ? itemIdOf(sel) : localStorage.getItem(SELECTED_KEY);
    const at = items.findIndex((it) => it.id === keep);
    cursor = -1;
    renderList();
    if (items.length) selectIndex(Math.max(at, 0));
    else {
      sel = null;
      pane.removeAttribute('aria-busy');
      append(clear(pane), [h('p', { class: 'empty' }, 'Nothing to show. Change the filters on the left.')]);
    }
  }

  function loadDetail(incidentId) {
    if (!details.has(incidentId))
      details.set(
        incidentId,
        get(`/api/incidents/${encodeURIComponent(incidentId)}`).catch((e) => {
          details.delete(incidentId);
          throw e;
        }),
      );
    return details.get(incidentId);
  }

  function selectIndex(i) {
    if (i < 0 || i >= items.length) return;
    list.querySelector('.queue-item.active')?.classList.remove('active');
    cursor = i;
    const li = list.querySelector(`[data-index="${i}"]`);
    li?.classList.add('active');
    li?.scrollIntoView({ block: 'nearest' });
    const it = items[i];
    localStorage.setItem(SELECTED_KEY, it.id);
    show({ kind: it.kind, incidentId: it.incidentId, target: it.target, producer: it.producer });
  }

  async function show(next, articleId) {
    sel = next;
    draft = { options: new Set(), mode: null };
    // Until the new item's detail arrives, no card is shown and no key acts: a key pressed now would
    // otherwise edit the previous item's card, and the loaded answer would then overwrite it.
    detail = null;
    append(clear(cardSlot), [h('p', { class: 'muted' }, 'Loading…')]);
    pane.setAttribute('aria-busy', 'true');
    let d;
    try {
      d = await loadDetail(next.incidentId);
    } catch (e) {
      if (sel === next) {
        if (!listing) pane.removeAttribute('aria-busy');
        append(clear(cardSlot), [h('p', { class: 'empty' }, `This item did not load: ${e.message}`)]);
      }
      toast(e.message, 'error');
      return;
    }
    if (sel !== next) return;
    detail = d;
    if (!listing) pane.removeAttribute('aria-busy');
    const label = currentLabel();
    const decision = currentDecision();
    if (sel.kind === 'label') draft.options = new Set(decision?.options ?? label?.options ?? []);
    renderPane();
    cardSlot.scrollTop = 0;
    revealCurrent(articlesCol, articleId);
  }

  const currentLabel = () =>
    detail.labels.find((l) => l.dimension === sel.target && l.producer === sel.producer) ??
    detail.labels.find((l) => l.dimension === sel.target);
  const currentFact = () => detail.facts.find((f) => f.target === sel.target && f.producer === sel.producer);
  const matches = (d) => d.kind === sel.kind && d.target === sel.target && (sel.kind === 'label' || d.producer === sel.producer);
  const currentDecision = () => detail.latest.filter(matches).at(-1) ?? null;
  const currentKey = () => (sel.kind === 'label' ? labelKey(sel.target) : factKey(sel.producer, sel.target));

  function renderCard() {
    const label = sel.kind === 'label' ? currentLabel() : null;
    const card = reviewCard({
      meta,
      sel,
      draft,
      decision: currentDecision(),
      past: detail.history.filter(matches),
      label,
      others: sel.kind === 'label' ? detail.labels.filter((l) => l.dimension === sel.target && l !== label) : [],
      fact: sel.kind === 'fact' ? currentFact() : null,
      provenance: detail.postmortemProvenance,
      onToggle: toggle,
      onAction: act,
      onNote: (t) => saveNote(t),
      onEdit: (t) => saveEdit(t),
      onCancel: () => {
        draft.mode = null;
        renderCard();
      },
      onCitation: (articleId) => revealCurrent(articlesCol, articleId),
    });
    append(clear(cardSlot), [card]);
    const box = cardSlot.querySelector('textarea');
    if (box) {
      box.focus();
      box.setSelectionRange(box.value.length, box.value.length);
    }
  }

  function renderPane() {
    const it = items[cursor];
    const inQueue = it && itemIdOf(sel) === it.id;
    const shown = detail;
    const citing = citingItems(detail, meta);
    append(clear(pane), [
      h(
        'div',
        { class: 'pane-head' },
        h(
          'div',
          {},
          h(
            'a',
            { class: 'incident-title', href: `#/incident/${encodeURIComponent(detail.id)}`, title: 'Open the incident page (o)' },
            detail.title,
          ),
          h('div', { class: 'muted' }, `${fmtDate(detail.published)} · ${detail.articles.length} article(s) · ${detail.id}`),
        ),
        h(
          'div',
          { class: 'pane-pos' },
          inQueue ? `${cursor + 1} / ${items.length}` : 'not in this queue view',
          inQueue && it.reasons.length
            ? h(
                'div',
                { class: 'qi-reasons' },
                it.reasons.map((r) => h('span', { class: 'reason' }, r)),
              )
            : null,
        ),
      ),
      cardSlot,
      append(clear(articlesCol), [
        h(
          'div',
          { class: 'legend' },
          h('mark', { class: 'cite current' }, 'this item'),
          h('mark', { class: 'cite' }, 'cited by other items'),
          h('span', { class: 'muted' }, '· click a passage to open what cites it'),
        ),
        articlesPanel(detail, citing, currentKey(), (key) => {
          const c = citing.get(key);
          const next = { kind: c.kind, incidentId: shown.id, target: c.target, producer: c.producer };
          const i = items.findIndex((x) => x.id === itemIdOf(next));
          if (i >= 0) selectIndex(i);
          else show(next);
        }),
      ]),
    ]);
    renderCard();
  }

  function toggle(opt) {
    if (sel?.kind !== 'label') return;
    const dim = meta.taxonomy.find((d) => d.key === sel.target);
    // The taxonomy's rules: true/false holds one value; a real option replaces "unknown".
    if (dim.kind === 'boolean') draft.options = new Set([opt]);
    else {
      draft.options.delete('unknown');
      if (draft.options.has(opt)) draft.options.delete(opt);
      else draft.options.add(opt);
    }
    renderCard();
  }

  function act(action) {
    if (!sel || !detail) return;
    if (action === 'note' || action === 'edit') {
      draft.mode = action;
      renderCard();
      return;
    }
    if (action === 'accept' || action === 'unknown') {
      save(action);
      return;
    }
    // save: the draft as it stands
    if (sel.kind === 'fact') {
      act('accept');
      return;
    }
    const label = currentLabel();
    if (draft.options.size === 0) {
      toast('Choose at least one option, or press u for unknown.', 'error');
      return;
    }
    if (draft.options.has('unknown')) save('unknown');
    else if (label && sameOptions(draft.options, label.options)) save('accept');
    else save('change', { options: [...draft.options] });
  }

  function saveNote(text) {
    if (!text.trim()) {
      toast('The note is empty.', 'error');
      return;
    }
    save('note', { note: text });
  }

  function saveEdit(text) {
    const fact = currentFact();
    if (!text.trim()) {
      toast('The corrected fact is empty; press u to mark it unsupported instead.', 'error');
      return;
    }
    if (text.trim() === fact.text) save('accept');
    else save('change', { text: text.trim() });
  }

  async function save(action, extra = {}) {
    const reviewer = reviewerName();
    if (!reviewer) {
      toast('Type your name in the Reviewer box, then Enter to save (Esc to cancel).', 'error');
      askReviewer(() => save(action, extra));
      return;
    }
    const target = sel;
    const body = {
      incidentId: target.incidentId,
      kind: target.kind,
      target: target.target,
      producer: target.producer ?? undefined,
      action,
      reviewer,
      ...extra,
    };
    try {
      const { decision } = await saveDecision(body);
      details.delete(target.incidentId);
      const i = items.findIndex((x) => x.id === itemIdOf(target));
      if (action !== 'note' && i >= 0) {
        if (!items[i].decision) {
          counts.open--;
          counts.reviewed++;
        }
        items[i].decision = decision;
        refreshRow(i);
        renderSummary();
      }
      toast(action === 'note' ? 'Note saved' : `Saved: ${decisionWord(decision)}`, 'ok');
      refreshAgreement();
      if (sel !== target) return;
      if (action !== 'note' && i >= 0 && i === cursor && cursor + 1 < items.length) selectIndex(cursor + 1);
      else await show(target);
    } catch (e) {
      toast(e.message, 'error');
    }
  }

  function keydown(e) {
    if (!sel) return false;
    const k = e.key;
    if (k === 'j' || k === 'ArrowDown') {
      selectIndex(Math.min(cursor + 1, items.length - 1));
      return true;
    }
    if (k === 'k' || k === 'ArrowUp') {
      selectIndex(Math.max(cursor - 1, 0));
      return true;
    }
    if (!detail) return false;
    if (k === 'a') {
      act('accept');
      return true;
    }
    if (k === 'u') {
      act('unknown');
      return true;
    }
    if (k === 'n') {
      act('note');
      return true;
    }
    if (k === 'e' && sel.kind === 'fact') {
      act('edit');
      return true;
    }
    if (k === 'Enter') {
      act('save');
      return true;
    }
    if (k === 'o') {
      location.hash = `#/incident/${encodeURIComponent(sel.incidentId)}`;
      return true;
    }
    if (/^[1-9]$/.test(k) && sel.kind === 'label') {
      const opt = meta.taxonomy.find((d) => d.key === sel.target).options[Number(k) - 1];
      if (opt) toggle(opt.key);
      return true;
    }
    if (k === 'Escape' && draft.mode) {
      draft.mode = null;
      renderCard();
      return true;
    }
    return false;
  }

  load();
  refreshAgreement();
  return { keydown, unmount() {} };
}

function decisionWord(d) {
  return d.action === 'change'
    ? `changed${d.options ? ` to ${d.options.join(', ')}` : ''}`
    : d.action === 'accept'
      ? 'accepted'
      : d.action === 'unknown'
        ? d.kind === 'fact'
          ? 'unsupported'
          : 'unknown'
        : d.action;
}
