import { readJsonFile } from '../config.ts';
import { SearchConfig } from '../../schemas/collect.ts';

export interface SearchQuery {
  query: string;
  url: string;
  keyword: string;
  outlet: string | null;
  after: string;
  before: string;
}

const day = (d: Date) => d.toISOString().slice(0, 10);

function addStep(d: Date, step: 'month' | 'week' | 'day'): Date {
  const n = new Date(d);
  if (step === 'month') n.setUTCMonth(n.getUTCMonth() + 1);
  else n.setUTCDate(n.getUTCDate() + (step === 'week' ? 7 : 1));
  return n;
}

/** Date windows [after, before): explicit, or a range cut into calendar steps (the last one clipped). */
export function windowsOf(config: SearchConfig): { after: string; before: string }[] {
  if (Array.isArray(config.windows)) return config.windows;
  const { from, to, step } = config.windows;
  const end = new Date(`${to}T00:00:00Z`);
  const out: { after: string; before: string }[] = [];
  for (let d = new Date(`${from}T00:00:00Z`); d < end; ) {
    const next = addStep(d, step);
    out.push({ after: day(d), before: day(next < end ? next : end) });
    d = next;
  }
  return out;
}

/**
 * One query per keyword × outlet × window, in that nesting, as FAIL queried Google News
 * (`software <kw> after:<month start> before:<next month start> site:<outlet>`).
 */
export function searchQueries(config: SearchConfig): SearchQuery[] {
  const outlets: (string | null)[] = config.outlets.length ? config.outlets : [null];
  const out: SearchQuery[] = [];
  for (const keyword of config.keywords) {
    for (const outlet of outlets) {
      for (const w of windowsOf(config)) {
        const query = config.query
          .replaceAll('{keyword}', keyword)
          .replaceAll('{after}', w.after)
          .replaceAll('{before}', w.before)
          .replaceAll('{outlet}', outlet ?? '')
          .replace(/\bsite:(?=\s|$)/g, '') // no outlet: drop the empty site filter
          .replace(/\s+/g, ' ')
          .trim();
        out.push({
          query,
          url: config.template.replaceAll('{query}', encodeURIComponent(query)),
          keyword,
          outlet,
          after: w.after,
          before: w.before,
        });
      }
    }
  }
  return out;
}

/** Reads and checks a search config; errors name the file and the field. */
export function loadSearchConfig(file: string): SearchConfig {
  return readJsonFile(file, SearchConfig);
}
