// The page's only channel to the server. Writes carry this session's CSRF token (put in the page by
// the server) and go through an outbox in localStorage, so a decision made while the server is
// unreachable is kept and sent on the next save or reload instead of being lost.

const token = document.querySelector('meta[name="csrf-token"]')?.getAttribute('content') ?? '';
const OUTBOX = 'failscope.outbox';

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/** The server could not be reached; the decision waits in the outbox. */
export class OfflineError extends Error {}

async function parse(res) {
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new ApiError(res.status, body.error ?? `request failed (HTTP ${res.status})`);
  return body;
}

export async function get(path) {
  return parse(await fetch(path, { headers: { accept: 'application/json' } }));
}

async function post(path, body) {
  return parse(
    await fetch(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', 'x-csrf-token': token },
      body: JSON.stringify(body),
    }),
  );
}

const outbox = () => {
  try {
    return JSON.parse(localStorage.getItem(OUTBOX) ?? '[]');
  } catch {
    return [];
  }
};
const setOutbox = (list) => localStorage.setItem(OUTBOX, JSON.stringify(list));
export const pendingCount = () => outbox().length;

export async function saveDecision(body) {
  try {
    const r = await post('/api/decisions', body);
    await flushOutbox();
    return r;
  } catch (e) {
    if (e instanceof ApiError) throw e;
    setOutbox([...outbox(), body]);
    throw new OfflineError(
      'The server could not be reached: the decision is kept in this browser and will be sent on the next save or reload.',
    );
  }
}

/** Sends decisions kept while offline. Returns what was sent and what the server refused. */
export async function flushOutbox() {
  const sent = [],
    refused = [];
  let list = outbox();
  while (list.length) {
    try {
      sent.push((await post('/api/decisions', list[0])).decision);
    } catch (e) {
      if (!(e instanceof ApiError)) break;
      refused.push({ body: list[0], error: e.message });
    }
    list = list.slice(1);
    setOutbox(list);
  }
  return { sent, refused };
}
