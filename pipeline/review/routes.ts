import type { IncomingMessage, ServerResponse } from 'node:http';
import { POSTMORTEM_TITLES, TAXONOMY } from '../../schemas/index.ts';
import type { Store } from '../store/store.ts';
import { agreement } from './agreement.ts';
import { browseIncidents, parseBrowse } from './browse.ts';
import { recordDecision } from './decisions.ts';
import { incidentDetail } from './detail.ts';
import { HttpError, readJson, sendJson, single } from './http.ts';
import { buildQueue, parseQueueFilters } from './queue.ts';
import type { Guard } from './security.ts';

export interface RouteContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  params: string[];
  store: Store;
  guard: Guard;
  reviewer: string | null;
}

interface Route {
  method: 'GET' | 'POST';
  path: RegExp;
  handle(c: RouteContext): void | Promise<void>;
}

/** The JSON API. Every write is a POST that passes the guard; every answer is JSON, errors as {error}. */
export const ROUTES: Route[] = [
  {
    method: 'GET',
    path: /^\/api\/meta$/,
    handle: ({ res, store, reviewer }) =>
      sendJson(res, 200, {
        taxonomy: TAXONOMY,
        postmortemTitles: POSTMORTEM_TITLES,
        producers: store.records.producers(),
        runs: store.runs
          .list()
          .map((r) => ({ id: r.id, startedAt: r.startedAt, backend: r.settings.backend, model: r.settings.model, status: r.status })),
        reviewer,
        counts: store.counts(),
      }),
  },
  {
    method: 'GET',
    path: /^\/api\/queue$/,
    handle: ({ res, url, store }) => sendJson(res, 200, buildQueue(store, parseQueueFilters(url.searchParams, store))),
  },
  {
    method: 'GET',
    path: /^\/api\/incidents$/,
    handle: ({ res, url, store }) => sendJson(res, 200, browseIncidents(store, parseBrowse(url.searchParams))),
  },
  {
    method: 'GET',
    path: /^\/api\/incidents\/([^/]+)$/,
    handle: ({ res, params, store }) => sendJson(res, 200, incidentDetail(store, params[0])),
  },
  {
    method: 'GET',
    path: /^\/api\/decisions$/,
    handle: ({ res, url, store }) => {
      const incident = single(url.searchParams, 'incident');
      if (incident !== undefined && !store.incidents.get(incident)) throw new HttpError(404, `unknown incident "${incident}"`);
      sendJson(res, 200, { decisions: store.review.list(incident) });
    },
  },
  {
    method: 'POST',
    path: /^\/api\/decisions$/,
    handle: async ({ req, res, store, guard }) => {
      guard.checkWrite(req);
      const body = await readJson(req);
      sendJson(res, 201, { decision: recordDecision(store, body) });
    },
  },
  {
    method: 'GET',
    path: /^\/api\/agreement$/,
    handle: ({ res, store }) => sendJson(res, 200, agreement(store.review.latest(), store.review.list())),
  },
];

/** Finds the route: 404 for an unknown path, 405 for a known path with another method. */
export function route(method: string, pathname: string): { route: Route; params: string[] } {
  let pathKnown = false;
  for (const r of ROUTES) {
    const m = r.path.exec(pathname);
    if (!m) continue;
    pathKnown = true;
    if (r.method === method || (method === 'HEAD' && r.method === 'GET')) {
      try {
        return { route: r, params: m.slice(1).map(decodeURIComponent) };
      } catch {
        throw new HttpError(400, `malformed percent-encoding in ${pathname}`);
      }
    }
  }
  if (pathKnown) throw new HttpError(405, `${method} is not allowed on ${pathname}`);
  throw new HttpError(404, `no such endpoint: ${pathname}`);
}
