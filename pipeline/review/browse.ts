import { DIMENSION_KEYS, isDimensionKey, optionKeys } from '../../schemas/index.ts';
import type { Store } from '../store/store.ts';
import { HttpError, single } from './http.ts';
import { byTarget, reviewedOptions, targetKey } from './targets.ts';

export interface BrowseQuery {
  terms: string[];
  /** Selected options by dimension. */
  options: Map<string, Set<string>>;
}

export interface BrowseIncident {
  id: string;
  title: string;
  published: string | null;
  articles: number;
  /** The options that count: the reviewer's where reviewed, else the model's. */
  labels: Record<string, string[]>;
  reviewed: string[];
}

export function parseBrowse(params: URLSearchParams): BrowseQuery {
  const q = single(params, 'q') ?? '';
  if (q.length > 500) throw new HttpError(400, 'the search text is over 500 characters');
  const options = new Map<string, Set<string>>();
  for (const raw of params.getAll('option')) {
    const [dim, opt, extra] = raw.split(':');
    if (extra !== undefined || !dim || !opt) throw new HttpError(400, `an option filter is "<dimension>:<option>", not "${raw}"`);
    if (!isDimensionKey(dim)) throw new HttpError(400, `unknown dimension "${dim}" in option filter "${raw}"`);
    const allowed: readonly string[] = optionKeys(dim);
    if (!allowed.includes(opt)) throw new HttpError(400, `invalid option "${opt}" for dimension "${dim}" (allowed: ${allowed.join(', ')})`);
    options.set(dim, (options.get(dim) ?? new Set()).add(opt));
  }
  return { terms: q.split(/\s+/).filter(Boolean), options };
}

/**
 * Multi-label filtering: an incident matches a dimension's filter when its label HAS any selected
 * option (FAIL's site matched only incidents whose whole label equalled the option); filters on
 * different dimensions must all match. Facet counts for a dimension ignore that dimension's own filter,
 * so the other options stay visible with what selecting them would add.
 */
export function browseIncidents(
  store: Store,
  query: BrowseQuery,
): { incidents: BrowseIncident[]; facets: Record<string, Record<string, number>>; total: number } {
  const found = query.terms.length ? new Set(store.incidents.search(query.terms)) : null;
  const latest = byTarget(store.review.latest());
  const all: BrowseIncident[] = store.records
    .list()
    .filter((r) => !found || found.has(r.id))
    .map((r) => {
      const labels: Record<string, string[]> = {};
      for (const l of r.labels) labels[l.dimension] = l.options;
      const reviewed: string[] = [];
      for (const dim of DIMENSION_KEYS) {
        const opts = reviewedOptions(latest.get(targetKey('label', r.id, dim, null)));
        if (opts) {
          labels[dim] = opts;
          reviewed.push(dim);
        }
      }
      return { id: r.id, title: r.title || r.id, published: r.published, articles: r.articleIds.length, labels, reviewed };
    });
  const matches = (inc: BrowseIncident, except?: string) =>
    [...query.options].every(([dim, sel]) => dim === except || (inc.labels[dim] ?? []).some((o) => sel.has(o)));
  const facets: Record<string, Record<string, number>> = {};
  for (const dim of DIMENSION_KEYS) {
    const counts: Record<string, number> = Object.fromEntries(optionKeys(dim).map((o) => [o, 0]));
    for (const inc of all) if (matches(inc, dim)) for (const o of inc.labels[dim] ?? []) if (o in counts) counts[o]++;
    facets[dim] = counts;
  }
  const incidents = all.filter((inc) => matches(inc));
  return { incidents, facets, total: incidents.length };
}
