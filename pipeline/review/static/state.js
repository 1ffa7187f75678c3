// What every view shares: the server's metadata (taxonomy, backends, runs) and the reviewer's name.

export const state = { meta: null };

const REVIEWER_KEY = 'failscope.reviewer';

// An action that needed a name waits here while the reviewer types it, with where the focus was.
let waiting = null;

/** Called before the page asks the server anything, so a name typed meanwhile is kept. */
export function initReviewer(input) {
  input.value = localStorage.getItem(REVIEWER_KEY) ?? '';
  input.addEventListener('input', () => localStorage.setItem(REVIEWER_KEY, input.value.trim()));
  // Enter and Esc leave the box, so the single-key shortcuts work again; Enter also does what was waiting.
  input.addEventListener('keydown', (e) => {
    if (e.key !== 'Enter' && e.key !== 'Escape') return;
    e.preventDefault();
    e.stopPropagation();
    const w = waiting;
    waiting = null;
    input.blur();
    if (w?.from?.isConnected && w.from !== document.body) w.from.focus();
    if (e.key === 'Enter' && w && reviewerName()) w.retry();
  });
}

/** The server's default name (`review --reviewer`), unless this browser has a name of its own. */
export function defaultReviewer(input, name) {
  if (name && localStorage.getItem(REVIEWER_KEY) === null && !input.value.trim()) input.value = name;
}

/** Sends the focus to the name box; `retry` runs once a name is typed and Enter pressed. */
export function askReviewer(retry) {
  const input = document.getElementById('reviewer');
  waiting = { retry, from: document.activeElement instanceof HTMLElement ? document.activeElement : null };
  input.focus();
}

export const reviewerName = () => document.getElementById('reviewer').value.trim();

/** Typing in a field: single-key shortcuts must not fire. */
export const typing = (e) => {
  const t = e.target;
  return t instanceof HTMLElement && (t.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(t.tagName));
};
