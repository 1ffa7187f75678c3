/**
 * The words a fuzzy quote may not change: a negation, a number, a name or a day turns what a sentence
 * says into something else ("was not caused", "20 million", "Northbank"), however many of its other words
 * match. A fuzzy placement must carry these exactly as the article's span does, in the same order.
 */

/** A word as it stands in the text: its case says whether it may be a name. */
export interface Word {
  raw: string;
  w: string;
}

const NEGATIONS = new Set(['not', 'no', 'never', 'none', 'nobody', 'nothing', 'nowhere', 'neither', 'nor', 'without', 'cannot']);
const NUMBERS = new Set([
  'zero',
  'one',
  'two',
  'three',
  'four',
  'five',
  'six',
  'seven',
  'eight',
  'nine',
  'ten',
  'eleven',
  'twelve',
  'thirteen',
  'fourteen',
  'fifteen',
  'sixteen',
  'seventeen',
  'eighteen',
  'nineteen',
  'twenty',
  'thirty',
  'forty',
  'fifty',
  'sixty',
  'seventy',
  'eighty',
  'ninety',
  'hundred',
  'hundreds',
  'thousand',
  'thousands',
  'million',
  'millions',
  'billion',
  'billions',
  'dozen',
  'dozens',
  'half',
  'once',
  'twice',
  'first',
  'second',
  'third',
  'fourth',
  'fifth',
  'tenth',
]);
const DAYS = new Set(['yesterday', 'today', 'tomorrow', 'tonight']);
/** Words capitalised only because a sentence starts with them: never names. */
const FUNCTION_WORDS = new Set([
  'a',
  'an',
  'the',
  'this',
  'that',
  'these',
  'those',
  'it',
  'its',
  'he',
  'she',
  'they',
  'we',
  'i',
  'you',
  'his',
  'her',
  'their',
  'our',
  'my',
  'your',
  'in',
  'on',
  'at',
  'of',
  'for',
  'to',
  'by',
  'with',
  'from',
  'after',
  'before',
  'during',
  'since',
  'until',
  'as',
  'and',
  'but',
  'or',
  'so',
  'if',
  'when',
  'while',
  'there',
  'here',
  'what',
  'which',
  'who',
  'how',
  'why',
  'where',
  'then',
  'also',
  'however',
  'meanwhile',
  'some',
  'many',
  'most',
  'all',
  'both',
  'each',
  'every',
  'such',
  'more',
  'other',
]);

export const isNegation = (w: string) => NEGATIONS.has(w) || /n['’]t$/.test(w);
const isNumber = (w: string) => /\p{N}/u.test(w) || NUMBERS.has(w);
const nameLike = (x: Word) => /^\p{Lu}/u.test(x.raw) && !FUNCTION_WORDS.has(x.w);

/** The words of a list that must be matched exactly, negations reduced to one sign ("didn't" = "did not"). */
function criticalOf(words: readonly Word[], names: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (const x of words) {
    if (isNegation(x.w)) out.push('¬');
    else if (isNumber(x.w) || DAYS.has(x.w) || names.has(x.w)) out.push(x.w);
  }
  return out;
}

/**
 * Whether a quote and the article's span say the same about negation, numbers, days and names. A word
 * counts as a name when it is capitalised in either (a quote may lower-case a name, or start a sentence
 * with it), so a name in one must be the same name at the same place in the other.
 */
export function sameCriticalWords(quote: readonly Word[], span: readonly Word[]): boolean {
  const names = new Set([...quote, ...span].filter(nameLike).map((x) => x.w));
  const a = criticalOf(quote, names),
    b = criticalOf(span, names);
  return a.length === b.length && a.every((w, i) => w === b[i]);
}
