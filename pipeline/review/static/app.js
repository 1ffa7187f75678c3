import { $, clear, h, kbd, toast } from './dom.js';
import { flushOutbox, get, pendingCount } from './api.js';
import { initReviewer, defaultReviewer, state, typing } from './state.js';
import { mountQueue } from './queue.js';
import { mountBrowse } from './browse.js';
import { mountRecord } from './record.js';
import { mountAgreement } from './agreement.js';

const SHORTCUTS = [
  [
    'Queue',
    [
      [['j', '↓'], 'next item'],
      [['k', '↑'], 'previous item'],
      [['a'], "accept the model's answer"],
      [['1', '…', '9'], 'toggle an option (labels)'],
      [['Enter'], 'save the options as chosen'],
      [['u'], 'mark unknown (facts: unsupported)'],
      [['e'], "correct a fact's text"],
      [['n'], 'add a note'],
      [['o'], 'open the incident page'],
      [['Esc'], 'close the note or edit box'],
    ],
  ],
  [
    'Browse',
    [
      [['/'], 'search'],
      [['j', 'k'], 'move'],
      [['Enter'], 'open the incident'],
    ],
  ],
  ['Incident page', [[['r'], 'review this incident']]],
  [
    'Anywhere',
    [
      [['?'], 'this help'],
      [['g', 'q'], 'queue'],
      [['g', 'b'], 'browse'],
      [['g', 'a'], 'agreement'],
    ],
  ],
];

let view = null;
let pendingG = false;

function route() {
  const main = $('#main');
  view?.unmount();
  clear(main);
  const [path, query] = location.hash.replace(/^#/, '').split('?');
  const params = new URLSearchParams(query ?? '');
  const parts = (path || '/queue').split('/').filter(Boolean);
  const name = parts[0] ?? 'queue';
  for (const a of document.querySelectorAll('.tabs a'))
    a.classList.toggle('on', a.dataset.view === (name === 'incident' ? 'browse' : name));
  if (name === 'browse') view = mountBrowse(main, params);
  else if (name === 'incident' && parts[1]) view = mountRecord(main, decodeURIComponent(parts[1]));
  else if (name === 'agreement') view = mountAgreement(main);
  else view = mountQueue(main, params);
}

function help() {
  const body = clear($('#help-body'));
  for (const [title, rows] of SHORTCUTS) {
    body.append(
      h('h3', {}, title),
      h(
        'table',
        { class: 'keys' },
        h(
          'tbody',
          {},
          rows.map(([keys, what]) =>
            h(
              'tr',
              {},
              h(
                'td',
                {},
                keys.map((k) => (k === '…' ? ' … ' : kbd(k))),
              ),
              h('td', {}, what),
            ),
          ),
        ),
      ),
    );
  }
  $('#help').showModal();
}

function keydown(e) {
  if (e.ctrlKey || e.metaKey || e.altKey) return;
  if ($('#help').open) return;
  if (typing(e)) return;
  if (e.key === '?') {
    e.preventDefault();
    help();
    return;
  }
  if (pendingG) {
    pendingG = false;
    const to = { q: '#/queue', b: '#/browse', a: '#/agreement' }[e.key];
    if (to) {
      e.preventDefault();
      location.hash = to;
      return;
    }
  }
  if (e.key === 'g') {
    pendingG = true;
    setTimeout(() => {
      pendingG = false;
    }, 1000);
    return;
  }
  if (view?.keydown(e)) e.preventDefault();
}

async function start() {
  initReviewer($('#reviewer'));
  try {
    state.meta = await get('/api/meta');
  } catch (e) {
    clear($('#main')).append(h('p', { class: 'empty' }, `The review server did not answer: ${e.message}`));
    return;
  }
  defaultReviewer($('#reviewer'), state.meta.reviewer);
  $('#help-button').addEventListener('click', help);
  document.addEventListener('keydown', keydown);
  window.addEventListener('hashchange', route);
  if (pendingCount()) {
    const { sent, refused } = await flushOutbox();
    if (sent.length) toast(`Sent ${sent.length} decision(s) kept while the server was unreachable.`, 'ok');
    for (const r of refused) toast(`A kept decision was refused: ${r.error}`, 'error');
  }
  route();
}

start();
