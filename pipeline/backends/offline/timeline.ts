import type { Fact } from '../../../schemas/index.ts';
import { MONTHS, WEEKDAYS, toIsoDate } from '../../text/dates.ts';
import { FAILURE } from './cues.ts';
import { type ArticleDoc, matchSentence, sentenceCitation } from './evidence.ts';
import { TUNING } from './tuning.ts';

/**
 * When did it happen? News dates events relative to the day of publication ("on Tuesday",
 * "yesterday", "March 3"), so the calendar date is worked out from the article's date, as an analyst
 * would. The fact says how it was worked out and cites the sentence that carries the expression.
 */
const DAY = 86_400_000;
const MAX_DATED = TUNING.settings.timeline.maxDated;

const RELATIVE = new RegExp(
  `\\b(?:(?:on|of|last|late|early|since|from|until|by|this) (${WEEKDAYS.join('|')})|(${WEEKDAYS.join('|')}) (?:morning|afternoon|evening|night)`
  + `|(yesterday|last night|today|this morning|earlier today)`
  + `|(${MONTHS.join('|')}) (\\d{1,2})(?:st|nd|rd|th)?(?:,? (\\d{4}))?)\\b`, 'i');

export const longDate = (t: number) => {
  const d = new Date(t);
  return `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}, ${d.getUTCFullYear()}`;
};

/** The date an expression in an article published at `published` (ms, UTC midnight) points to. */
export function resolveDate(m: RegExpExecArray, published: number): number | null {
  const weekday = m[1] ?? m[2];
  if (weekday) {
    const target = WEEKDAYS.findIndex((w) => w.toLowerCase() === weekday.toLowerCase());
    const back = (new Date(published).getUTCDay() - target + 7) % 7;
    return published - back * DAY;
  }
  const rel = m[3]?.toLowerCase();
  if (rel) return rel === 'yesterday' || rel === 'last night' ? published - DAY : published;
  if (m[4]) {
    const month = MONTHS.findIndex((x) => x.toLowerCase() === m[4]!.toLowerCase());
    const day = Number(m[5]);
    if (day < 1 || day > 31) return null;
    if (m[6]) return Date.UTC(Number(m[6]), month, day);
    // Without a year, the latest such day on or before publication: news reports what has happened.
    const year = new Date(published).getUTCFullYear();
    const t = Date.UTC(year, month, day);
    return t <= published ? t : Date.UTC(year - 1, month, day);
  }
  return null;
}

/** Dated facts from the failure sentences of dated articles, earliest first, at most MAX_DATED dates. */
export function datedFacts(docs: readonly ArticleDoc[]): Fact[] {
  const found = new Map<number, Fact>();
  for (const d of docs) {
    const iso = toIsoDate(d.article.published);
    if (!iso) continue;
    const published = Date.parse(iso);
    for (const s of d.sentences) {
      const failure = matchSentence(s, FAILURE);
      if (!failure || failure.polarity !== 'asserted') continue;
      const m = RELATIVE.exec(s.text);
      if (!m) continue;
      const t = resolveDate(m, published);
      if (t === null || t > published || found.has(t)) continue;
      found.set(t, {
        text: `${longDate(t)} (worked out from "${m[0]}" in an article published on ${longDate(published)})`,
        citations: [sentenceCitation(d.article.id, s)],
      });
      break;
    }
  }
  return [...found.entries()].sort((a, b) => a[0] - b[0]).slice(0, MAX_DATED).map(([, f]) => f);
}
