import type { Fact } from '../../../schemas/index.ts';
import { MONTHS, WEEKDAYS, toIsoDate } from '../../text/dates.ts';
import { FAILURE } from './cues.ts';
import { type ArticleDoc, matchSentence, sentenceCitation } from './evidence.ts';
import { TUNING } from './tuning.ts';

/**
 * When did it happen? News dates events relative to the day of publication ("on Tuesday",
 * "yesterday", "in May", "last month"), so the calendar date is worked out from the article's date,
 * as an analyst would, to the day, the month or the year the expression gives. The fact says how it
 * was worked out and cites the sentence that carries the expression. An article that dates its
 * failure nowhere still says when it was reported: its date of publication, citing its first sentence
 * about the failure.
 */
const DAY = 86_400_000;
const { maxDated: MAX_DATED, maxMonthsBefore: MAX_MONTHS } = TUNING.settings.timeline;

const MONTH = `${MONTHS.join('|')}|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\\.?`;
const WEEKDAY = WEEKDAYS.join('|');
// Alternatives in order of precision; each names its groups.
const EXPRESSION = new RegExp(
  [
    `(?:on|of|last|late|early|since|from|until|by|this) (?<weekday>${WEEKDAY})`,
    `(?<weekday2>${WEEKDAY}) (?:morning|afternoon|evening|night)`,
    '(?<relative>yesterday|last night|today|this morning|earlier today)',
    `(?<month>${MONTH}) (?<day>\\d{1,2})(?:st|nd|rd|th)?(?:,? (?<year>\\d{4}))?(?!\\d)`,
    `(?<day2>\\d{1,2}) (?<month2>${MONTH})(?:,? (?<year2>\\d{4}))?`,
    '(?<iso>(?:19|20)\\d\\d-[01]\\d-[0-3]\\d)',
    `(?:in|since|during|from|until|by|early|late|mid|mid-|last|this|earlier this) (?<month3>${MONTH})(?:,? (?<year3>\\d{4}))?`,
    `(?<month4>${MONTH}),? (?<year4>(?:19|20)\\d\\d)`,
    '(?<thisMonth>(?:earlier )?this month)|(?<lastMonth>last month)',
    '(?:in|since|during|early|late|mid|mid-|by) (?<year5>(?:19|20)\\d\\d)',
  ]
    .map((a) => `(?:${a})`)
    .join('|'),
  'gi',
);

/**
 * "By September", "by Friday": a deadline ("will require two-factor authentication by September"), or
 * when something was done, not when it failed. Read the sentence's other dates instead.
 */
const DEADLINE = /^by\b/i;

type Precision = 'day' | 'month' | 'year';
interface Dated {
  t: number;
  precision: Precision;
}

const monthIndex = (name: string) => MONTHS.findIndex((m) => m.toLowerCase().startsWith(name.replace('.', '').toLowerCase().slice(0, 3)));
const utc = (d: Date) => ({ y: d.getUTCFullYear(), m: d.getUTCMonth(), d: d.getUTCDate() });

export const longDate = (t: number) => {
  const d = new Date(t);
  return `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}, ${d.getUTCFullYear()}`;
};
const written = ({ t, precision }: Dated) => {
  const d = new Date(t);
  return precision === 'day'
    ? longDate(t)
    : precision === 'month'
      ? `${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`
      : `${d.getUTCFullYear()}`;
};

/** The latest such month (and day) on or before publication: news reports what has happened. */
function latest(month: number, day: number, published: number, year?: string): number {
  if (year) return Date.UTC(Number(year), month, day);
  const { y } = utc(new Date(published));
  const t = Date.UTC(y, month, day);
  return t <= published ? t : Date.UTC(y - 1, month, day);
}

/** The date an expression in an article published at `published` (ms, UTC midnight) points to. */
export function resolveDate(m: RegExpExecArray, published: number): Dated | null {
  const g = m.groups ?? {};
  const weekday = g.weekday ?? g.weekday2;
  if (weekday) {
    const target = WEEKDAYS.findIndex((w) => w.toLowerCase() === weekday.toLowerCase());
    const back = (new Date(published).getUTCDay() - target + 7) % 7;
    return { t: published - back * DAY, precision: 'day' };
  }
  if (g.relative) return { t: /yesterday|last night/i.test(g.relative) ? published - DAY : published, precision: 'day' };
  // "may", "march": a month is written with a capital.
  const named = [g.month, g.month2, g.month3, g.month4].find(Boolean);
  if (named && named[0] !== named[0]!.toUpperCase()) return null;
  const month = g.month ?? g.month2,
    day = Number(g.day ?? g.day2);
  if (month) {
    if (day < 1 || day > 31) return null;
    return { t: latest(monthIndex(month), day, published, g.year ?? g.year2), precision: 'day' };
  }
  if (g.iso) return { t: Date.parse(g.iso), precision: 'day' };
  const monthOnly = g.month3 ?? g.month4;
  if (monthOnly) return { t: latest(monthIndex(monthOnly), 1, published, g.year3 ?? g.year4), precision: 'month' };
  const p = utc(new Date(published));
  if (g.thisMonth) return { t: Date.UTC(p.y, p.m, 1), precision: 'month' };
  if (g.lastMonth) return { t: Date.UTC(p.y, p.m - 1, 1), precision: 'month' };
  if (g.year5) return { t: Date.UTC(Number(g.year5), 0, 1), precision: 'year' };
  return null;
}

/**
 * Not after publication; and a month or a year ("in 2007") not so long before it that it dates an
 * earlier failure the article recalls. A day is precise enough to be meant.
 */
function plausible(d: Dated, published: number): boolean {
  const p = utc(new Date(published)),
    x = utc(new Date(d.t));
  if (d.precision === 'day') return d.t <= published;
  if (d.precision === 'year') return x.y <= p.y && p.y - x.y <= Math.ceil(MAX_MONTHS / 12);
  return d.t <= published && (p.y - x.y) * 12 + (p.m - x.m) <= MAX_MONTHS;
}

/**
 * Dated facts from the failure sentences of dated articles, earliest first, at most MAX_DATED: per
 * article the first date it gives, or the day it was reported.
 */
export function datedFacts(docs: readonly ArticleDoc[]): Fact[] {
  const found = new Map<string, { t: number; fact: Fact }>();
  for (const d of docs) {
    const iso = toIsoDate(d.article.published);
    if (!iso) continue;
    const published = Date.parse(iso);
    const failing = d.sentences.filter((s) => matchSentence(s, FAILURE)?.polarity === 'asserted');
    let dated: { at: Dated; fact: Fact } | null = null;
    for (const s of failing) {
      const found = [...s.text.matchAll(EXPRESSION)]
        .filter((m) => !DEADLINE.test(m[0]))
        .map((m) => ({ m, at: resolveDate(m, published) }))
        .find((x): x is { m: RegExpExecArray; at: Dated } => !!x.at && plausible(x.at, published));
      if (!found) continue;
      const { m, at } = found;
      // "of Tuesday" says little on its own: the word before it gives what the article said ("much of Tuesday").
      const said = /^of /i.test(m[0]) ? `${/(\S+)\s+$/.exec(s.text.slice(0, m.index))?.[1] ?? ''} ${m[0]}`.trim() : m[0];
      dated = {
        at,
        fact: {
          text: `${written(at)} (worked out from "${said}" in an article published on ${longDate(published)})`,
          citations: [sentenceCitation(d.article.id, s)],
        },
      };
      break;
    }
    const first = failing[0];
    if (!dated && first) {
      dated = {
        at: { t: published, precision: 'day' },
        fact: {
          text: `Reported on ${longDate(published)} (the day the article was published)`,
          citations: [sentenceCitation(d.article.id, first)],
        },
      };
    }
    if (!dated) continue;
    const key = written(dated.at);
    if (!found.has(key)) found.set(key, { t: dated.at.t, fact: dated.fact });
  }
  return [...found.values()]
    .sort((a, b) => a.t - b.t)
    .slice(0, MAX_DATED)
    .map((x) => x.fact);
}
