// Every node is built with DOM APIs and every piece of data goes in as a text node or an attribute
// value: nothing from the server is ever parsed as HTML.

/**
 * h('div', { class: 'x', dataset: { id }, onclick }, 'text', child, [more])
 * Attribute values are set with setAttribute; `on*` keys add listeners; strings become text nodes.
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'value') el.value = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

export function clear(el) {
  while (el.firstChild) el.firstChild.remove();
  return el;
}

export const $ = (sel, root = document) => root.querySelector(sel);

/** Only http(s) links are made clickable: a javascript: URL in an article's metadata stays text. */
export function safeHref(url) {
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : null;
  } catch {
    return null;
  }
}

let toastTimer;
export function toast(message, kind = 'info') {
  const el = document.getElementById('toast');
  el.textContent = message;
  el.className = `show ${kind}`;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(
    () => {
      el.className = '';
    },
    kind === 'error' ? 6000 : 2500,
  );
}

export const fmtDate = (iso) => (iso ? iso.slice(0, 10) : 'unknown');
export const fmtTime = (iso) => new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
export const pct = (v) => (v === null || v === undefined ? '—' : `${Math.round(v * 100)}%`);

/** Options as FAIL shows them: booleans upper-case. */
export const optionLabel = (o) => (o === 'true' || o === 'false' ? o.toUpperCase() : o);

/** An option's name with a line-break opportunity after each underscore, so it wraps between words only. */
export const breakable = (o) =>
  optionLabel(o)
    .split('_')
    .flatMap((part, i) => (i ? ['_', h('wbr'), part] : [part]));

export function chips(options, cls = '') {
  return h(
    'span',
    { class: 'chips' },
    (options ?? []).map((o) =>
      h('span', { class: `chip ${cls} ${o === 'unknown' ? 'unknown' : ''}`, title: optionLabel(o) }, breakable(o)),
    ),
  );
}

export function kbd(key) {
  return h('kbd', {}, key);
}
