import type { Alignment, Citation } from '../../schemas/index.ts';
import { type Word, isNegation, sameCriticalWords } from './critical.ts';
import { INVISIBLE_CLASS } from '../text/invisible.ts';

export interface Placement {
  start: number;
  end: number;
  alignment: Alignment;
}

/** Thresholds for fuzzy placement: share of the quote's tokens found, and how tightly packed they are. */
export const FUZZY = { minCoverage: 0.75, minDensity: 0.6 } as const;

const QUOTES: Record<string, string> = {
  '\u2018': "'",
  '\u2019': "'",
  '\u201a': "'",
  '\u201b': "'",
  '\u2032': "'",
  '\u201c': '"',
  '\u201d': '"',
  '\u201e': '"',
  '\u201f': '"',
  '\u2033': '"',
  '\u00ab': '"',
  '\u00bb': '"',
};
const DASHES = /[\u2010-\u2015\u2212\ufe58\ufe63\uff0d]/;
const INVISIBLE = new RegExp(`^${INVISIBLE_CLASS}$`);
/** A character with its combining marks: NFKC must see them together to compose "e\u0301" into "é". */
const UNIT = /\P{M}\p{M}*|\p{M}+/gsu;

/**
 * Folds text for comparison and keeps, for every folded character, the span of the original
 * characters it came from, so a match in folded text maps back to an exact original span.
 */
export function fold(text: string): { folded: string; origin: number[]; originEnd: number[] } {
  let folded = '';
  const origin: number[] = [];
  const originEnd: number[] = [];
  let lastSpace = true;
  for (const m of text.matchAll(UNIT)) {
    const ch = m[0],
      i = m.index!,
      end = i + ch.length;
    if (INVISIBLE.test(ch)) continue;
    let out = QUOTES[ch] ?? (DASHES.test(ch) ? '-' : ch.normalize('NFKC').toLowerCase());
    if (/^\s+$/u.test(out) || out === '') out = /\s/u.test(ch) ? ' ' : out;
    for (const c of out) {
      if (c === ' ' || /\s/u.test(c)) {
        if (lastSpace) continue;
        folded += ' ';
        origin.push(i);
        originEnd.push(end);
        lastSpace = true;
      } else {
        folded += c;
        origin.push(i);
        originEnd.push(end);
        lastSpace = false;
      }
    }
  }
  return { folded, origin, originEnd };
}

interface Tok extends Word {
  start: number;
  end: number;
}
const WORD = /[\p{L}\p{N}]+(?:['’][\p{L}]+)*/gu;
function words(text: string): Tok[] {
  const out: Tok[] = [];
  for (const m of text.matchAll(WORD))
    out.push({ raw: m[0], w: m[0].toLowerCase().replace(/’/g, "'"), start: m.index!, end: m.index! + m[0].length });
  return out;
}

/** Longest common subsequence of token lists; returns the matched positions in `b`. */
function lcs(a: string[], b: string[]): number[] {
  const n = a.length,
    m = b.length;
  const dp = Array.from({ length: n + 1 }, () => new Uint16Array(m + 1));
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--) {
      dp[i][j] = a[i] === b[j] ? dp[i + 1][j + 1] + 1 : Math.max(dp[i + 1][j], dp[i][j + 1]);
    }
  const hits: number[] = [];
  for (let i = 0, j = 0; i < n && j < m; ) {
    if (a[i] === b[j]) {
      hits.push(j);
      i++;
      j++;
    } else if (dp[i + 1][j] >= dp[i][j + 1]) i++;
    else j++;
  }
  // The walk above matches each token as early as it can, so a leading "the" may land sentences before
  // the real match. Pull every hit as far right as the next hit allows: same length, tightest span.
  for (let k = hits.length - 2; k >= 0; k--) {
    for (let j = hits[k + 1] - 1; j > hits[k]; j--)
      if (b[j] === b[hits[k]]) {
        hits[k] = j;
        break;
      }
  }
  return hits;
}

function fuzzyPlace(quote: string, textToks: Tok[]): Placement | null {
  const qt = words(quote);
  const q = qt.map((t) => t.w);
  if (q.length < 3 || textToks.length === 0) return null;
  const positions = new Map<string, number[]>();
  textToks.forEach((t, i) => {
    const l = positions.get(t.w);
    if (l) l.push(i);
    else positions.set(t.w, [i]);
  });
  // Anchor on the quote's rarest tokens: few positions to try, and a real match must contain them.
  const anchors = [...new Set(q)]
    .filter((w) => positions.has(w))
    .sort((x, y) => positions.get(x)!.length - positions.get(y)!.length)
    .slice(0, 3);
  const tried = new Set<number>();
  let best: { first: number; last: number; hits: number } | null = null;
  const span = Math.ceil(q.length * 1.6);
  for (const w of anchors) {
    for (const p of positions.get(w)!.slice(0, 50)) {
      const from = Math.max(0, p - span);
      if (tried.has(from)) continue;
      tried.add(from);
      const window = textToks.slice(from, p + span + 1).map((t) => t.w);
      const hits = lcs(q, window);
      if (!hits.length || (best && hits.length <= best.hits)) continue;
      const first = from + hits[0],
        last = from + hits[hits.length - 1];
      if (hits.length / q.length < FUZZY.minCoverage || hits.length / (last - first + 1) < FUZZY.minDensity) continue;
      // A span that matches most words but not the negations, numbers or names says something else, as does
      // one that starts right after a negation the quote leaves out.
      if (!sameCriticalWords(qt, textToks.slice(first, last + 1))) continue;
      if (first > 0 && isNegation(textToks[first - 1].w) && !q.includes(textToks[first - 1].w)) continue;
      best = { first, last, hits: hits.length };
    }
  }
  return best && { start: textToks[best.first].start, end: textToks[best.last].end, alignment: 'fuzzy' };
}

const LAST_WORD = /([\p{L}'’]+)\s+$/u;

/**
 * Where `q` first stands in `hay` not right after a negation: "customer data was lost" found inside "no
 * customer data was lost" is the article's words saying the opposite, so that occurrence does not count.
 * `hay` is the article's `text` or its folded form, `at` maps an index of `hay` to one of `text`.
 */
function unnegated(text: string, hay: string, q: string, at: (i: number) => number): number {
  for (let i = hay.indexOf(q); i >= 0; i = hay.indexOf(q, i + 1)) {
    const before = LAST_WORD.exec(text.slice(Math.max(0, at(i) - 40), at(i)));
    if (!before || !isNegation(before[1]!.toLowerCase())) return i;
  }
  return -1;
}

/**
 * Places a quote in an article: exactly, then after folding (NFKC, quotes, dashes, whitespace, case),
 * then fuzzily by tokens. Unplaceable quotes come back `unaligned` with start = end = -1.
 */
export function placeQuote(quote: string, text: string): Placement {
  const q = quote.trim();
  if (!q) return { start: -1, end: -1, alignment: 'unaligned' };
  const exact = unnegated(text, text, q, (i) => i);
  if (exact >= 0) return { start: exact, end: exact + q.length, alignment: 'exact' };
  const t = fold(text),
    f = fold(q).folded.trim();
  const at = f ? unnegated(text, t.folded, f, (i) => t.origin[i]) : -1;
  if (at >= 0) return { start: t.origin[at], end: t.originEnd[at + f.length - 1], alignment: 'normalized' };
  return fuzzyPlace(q, words(text)) ?? { start: -1, end: -1, alignment: 'unaligned' };
}

/**
 * A citation as stored: an aligned quote is always the article's own text at the span (the backend's
 * wording never is), so what is shown as verified is what the article says. An unaligned one keeps the
 * words the backend claimed, at -1, so a reviewer can see what could not be found.
 */
export function cite(articleId: string, quote: string, text: string): Citation {
  const at = placeQuote(quote, text);
  return { articleId, quote: at.alignment === 'unaligned' ? quote.trim() : text.slice(at.start, at.end), ...at };
}

/**
 * Checks a stored citation against its article: aligned, in range, and its quote is the article's
 * text at its span. How the backend's words were placed (exact, normalized, fuzzy) is what the
 * alignment says; the stored words are the article's in every case.
 */
export function verifyCitation(c: Citation, text: string): boolean {
  if (c.alignment === 'unaligned') return false;
  if (c.start < 0 || c.end > text.length || c.start >= c.end) return false;
  return text.slice(c.start, c.end) === c.quote;
}
