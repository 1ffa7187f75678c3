// What every view shares: the server's metadata (taxonomy, backends, runs) and the reviewer's name.

export const state = { meta: null };

const REVIEWER_KEY = 'failscope.reviewer';

export function initReviewer(input, fallback) {
  input.value = localStorage.getItem(REVIEWER_KEY) ?? fallback ?? '';
  input.addEventListener('input', () => localStorage.setItem(REVIEWER_KEY, input.value.trim()));
}

export const reviewerName = () => document.getElementById('reviewer').value.trim();

/** Typing in a field: single-key shortcuts must not fire. */
export const typing = (e) => {
  const t = e.target;
  return t instanceof HTMLElement && (t.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(t.tagName));
};
