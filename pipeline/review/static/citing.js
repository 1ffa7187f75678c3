import { h, $ } from './dom.js';
import { highlighted } from './highlight.js';

// Who cites what in an incident: every label (per dimension) and fact (per producer) with its
// citations, keyed so a highlighted span can lead back to the item that cites it.

export const labelKey = (dim) => `label|${dim}`;
export const factKey = (producer, target) => `fact|${producer}|${target}`;

export function citingItems(detail, meta) {
  const out = new Map();
  const dimTitle = new Map(meta.taxonomy.map((d) => [d.key, d.title]));
  for (const l of detail.labels) {
    const key = labelKey(l.dimension);
    const item = out.get(key) ?? {
      key,
      kind: 'label',
      target: l.dimension,
      producer: l.producer,
      name: dimTitle.get(l.dimension) ?? l.dimension,
      citations: [],
    };
    item.citations.push(...l.citations);
    out.set(key, item);
  }
  const multi = new Set(detail.facts.map((f) => f.producer)).size > 1;
  for (const f of detail.facts) {
    const key = factKey(f.producer, f.target);
    const name = `${meta.postmortemTitles[f.field]} #${f.idx + 1}${multi ? ` (${f.producer})` : ''}`;
    out.set(key, { key, kind: 'fact', target: f.target, producer: f.producer, name, citations: f.citations });
  }
  return out;
}

let menu = null;
function closeMenu() {
  menu?.remove();
  menu = null;
}
document.addEventListener('click', closeMenu);
document.addEventListener('keydown', (e) => {
  if (e.key === 'Escape') closeMenu();
});

/** A span cited by several items: a small menu to pick one. */
function pickMenu(anchor, items, onPick) {
  closeMenu();
  const r = anchor.getBoundingClientRect();
  menu = h(
    'div',
    { class: 'pick-menu', role: 'menu' },
    h('div', { class: 'pick-title' }, 'This passage is cited by'),
    items.map((it) =>
      h(
        'button',
        {
          type: 'button',
          role: 'menuitem',
          onclick: (e) => {
            e.stopPropagation();
            closeMenu();
            onPick(it.key);
          },
        },
        it.name,
      ),
    ),
  );
  document.body.append(menu);
  menu.style.left = `${Math.min(r.left + window.scrollX, window.innerWidth - 280)}px`;
  menu.style.top = `${r.bottom + window.scrollY + 4}px`;
}

/** The incident's articles in full, every cited span marked; the current item's spans stand out. */
export function articlesPanel(detail, items, currentKey, onPick) {
  const spansByArticle = new Map();
  for (const it of items.values()) {
    for (const c of it.citations) {
      if (c.alignment === 'unaligned') continue;
      const list = spansByArticle.get(c.articleId) ?? [];
      list.push({ start: c.start, end: c.end, key: it.key, name: it.name, current: it.key === currentKey, alignment: c.alignment });
      spansByArticle.set(c.articleId, list);
    }
  }
  const onMark = (keys, el) => {
    const others = keys.filter((k) => k !== currentKey);
    if (others.length === 1) onPick(others[0]);
    else if (others.length > 1)
      pickMenu(
        el,
        others.map((k) => items.get(k)),
        onPick,
      );
  };
  return h(
    'div',
    { class: 'articles' },
    detail.articles.map((a) =>
      h(
        'article',
        { class: 'source', id: `article-${a.id}` },
        h(
          'header',
          {},
          h('div', { class: 'source-id' }, `Article ${a.id}`),
          h('h3', {}, a.headline),
          h('div', { class: 'muted' }, [a.source, a.published].filter(Boolean).join(' · ')),
        ),
        h('div', { class: 'article-text' }, highlighted(a.text, spansByArticle.get(a.id) ?? [], onMark)),
      ),
    ),
  );
}

/** Scrolls the pane to the current item's first marked span (or the article of a citation). */
export function revealCurrent(root, articleId) {
  const target = articleId
    ? ($(`[id="article-${CSS.escape(articleId)}"] mark.current`, root) ?? $(`[id="article-${CSS.escape(articleId)}"]`, root))
    : $('mark.current', root);
  target?.scrollIntoView({ block: 'center', behavior: 'smooth' });
  if (target?.tagName === 'MARK') {
    target.classList.add('flash');
    setTimeout(() => target.classList.remove('flash'), 1200);
  }
}
