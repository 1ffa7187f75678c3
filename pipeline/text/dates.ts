export const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
export const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** `YYYY-MM-DD` if the numbers make a day of the calendar ("2021-13-45" does not). */
function calendarDay(y: string, m: string, d: string): string | null {
  const t = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)));
  const iso = `${y}-${m.padStart(2, '0')}-${d.padStart(2, '0')}`;
  return t.toISOString().slice(0, 10) === iso ? iso : null;
}

/**
 * Reads the date formats the inputs use (ISO, `MM/DD/YYYY` as in Ko's files, RFC 2822 from feeds)
 * into `YYYY-MM-DD`, or null when it cannot tell.
 */
export function toIsoDate(raw: string | null | undefined): string | null {
  if (!raw) return null;
  const s = raw.trim();
  let m = /^(\d{4})-(\d{2})-(\d{2})/.exec(s);
  if (m) return calendarDay(m[1], m[2], m[3]);
  m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(s);
  if (m) return calendarDay(m[3], m[1], m[2]);
  const t = Date.parse(s);
  return Number.isNaN(t) ? null : new Date(t).toISOString().slice(0, 10);
}

/** Is a `YYYY-MM-DD` date after today, with a day's grace for a story dated in a timezone ahead of this machine's? */
export const afterToday = (isoDate: string | null | undefined): boolean =>
  !!isoDate && isoDate > new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);

export function daysBetween(a: string | null, b: string | null): number | null {
  if (!a || !b) return null;
  return Math.abs(Date.parse(a) - Date.parse(b)) / 86_400_000;
}
