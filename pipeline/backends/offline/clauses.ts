import type { Sentence, Token } from '../../text/sentences.ts';
import type { Cue } from './evidence.ts';
import { type Span, closesQuote, tokenSpan } from './span.ts';
import { withoutTrailingSource } from './attribution.ts';
import { TUNING } from './tuning.ts';

/**
 * The clauses of a statement: a sentence may state two facts ("a faulty update took the site down;
 * the company rolled it back within the hour"). A statement splits where one clause ends and another
 * begins (a semicolon, a dash, or a comma before a conjunction), when every part is a clause of its
 * own (a verb and a few words). A field's fact is the part carrying its cues, or the whole statement
 * when no single stretch of parts does.
 */
const A = TUNING.settings.extraction.attribution;
const JOIN = new RegExp(`^(?:${TUNING.settings.extraction.clauseJoins})$`, 'i');
const DASH = /^(?:-{1,2}|–|—)$/;

const words = (ts: readonly Token[]) => ts.filter((t) => t.kind === 'word' || t.kind === 'number').length;
const isClause = (ts: readonly Token[]) => words(ts) >= A.minClauseWords && ts.some((t) => t.pos === 'VERB' || t.pos === 'AUX');
// "…, but that they are trying to gain share": the complementiser belongs to the verb before the cut.
const opener = (t: Token) => t.pos === 'PUNCT' || t.pos === 'CCONJ' || (t.pos === 'SCONJ' && t.norm === 'that');
const trimEnds = (ts: Token[]) => {
  let a = 0,
    b = ts.length;
  while (a < b && opener(ts[a]!)) a++;
  while (b > a && ts[b - 1]!.pos === 'PUNCT' && !closesQuote(ts, a, b)) b--;
  return ts.slice(a, b);
};

/** The tokens of `span` in `s`, cut into clauses. */
export function clauseParts(s: Sentence, span: Span): Token[][] {
  const ts = s.tokens.filter((t) => t.start >= span.start && t.end <= span.end);
  const parts: Token[][] = [];
  let from = 0;
  for (let i = 1; i < ts.length - 1; i++) {
    const t = ts[i]!;
    const cut = t.norm === ';' || (DASH.test(t.norm) && t.start > ts[i - 1]!.end) || (t.norm === ',' && JOIN.test(ts[i + 1]!.norm));
    if (!cut) continue;
    const left = trimEnds(ts.slice(from, i)),
      right = trimEnds(ts.slice(i + 1));
    if (!isClause(left) || !isClause(right)) continue;
    parts.push(left);
    from = i + 1;
  }
  parts.push(trimEnds(ts.slice(from)));
  const kept = parts.filter((p) => p.length > 0);
  return kept.length > 1 ? kept.map((p) => withoutTrailingSource(s, p)) : kept;
}

const carries = (part: readonly Token[], s: Sentence, cues: readonly Cue[]) => {
  const text = s.text.slice(part[0]!.start - s.start, part[part.length - 1]!.end - s.start);
  return cues.some((c) => c.re.test(text));
};

const REASON = new RegExp(`^(?:${TUNING.settings.extraction.clauseReasons})$`, 'i');

/**
 * The reason a statement ends with, if any: a clause ("…suffered a three-hour outage after a faulty
 * change was pushed to its load balancers" gives "a faulty change was pushed to its load balancers";
 * "…, when a database upgrade failed" too), or a noun phrase of three words or more ("…overpaid 12,000
 * people after a calculation error in its new payments system"). Not where the verb after the
 * subordinator lies past a comma ("after the outage, engineers restored…"); only when what comes before
 * is a clause too, and the reason carries `cues`.
 */
export function reasonPart(s: Sentence, span: Span, cues: readonly Cue[]): Span | null {
  const ts = s.tokens.filter((t) => t.start >= span.start && t.end <= span.end);
  for (let i = 1; i < ts.length - 1; i++) {
    // The tagger calls "when" an adverb wherever it stands; "after" is one only with nothing after it ("soon after,").
    const adverb = ts[i]!.pos === 'ADV' && ts[i + 1]!.pos === 'PUNCT';
    if (!REASON.test(ts[i]!.norm) || adverb || !isClause(trimEnds(ts.slice(0, i)))) continue;
    // "because of a bug", "due to a technical glitch": the preposition is no part of the reason.
    const right = trimEnds(ts.slice(/^(?:of|to)$/.test(ts[i + 1]!.norm) ? i + 2 : i + 1));
    const comma = right.findIndex((t) => t.norm === ',');
    const first = comma < 0 ? right : right.slice(0, comma);
    if (first.length === 0 || !carries(first, s, cues)) continue;
    if (isClause(first)) return tokenSpan(s, right);
    // A bare noun phrase ("after the glitch") dates a statement more often than it explains it.
    if (words(first) >= 3 && !first.some((t) => t.pos === 'VERB' || t.pos === 'AUX')) return tokenSpan(s, first);
  }
  return null;
}

const BLAME = new RegExp(`^(?:${TUNING.settings.extraction.blameVerbs})$`, 'i');
/** Where what is blamed ends: a new clause of the same subject ("…, but did not specify which systems had failed"). */
const nextClause = (ts: readonly Token[], i: number) =>
  (ts[i]!.pos === 'CCONJ' || ts[i]!.norm === ';') && (ts[i + 1]?.pos === 'VERB' || ts[i + 1]?.pos === 'AUX');

/**
 * What a statement blames: "Kestrel blamed the problem on an expired digital certificate that its
 * payment gateway uses…" states its cause as "an expired digital certificate that its payment gateway
 * uses…", "Airbus has attributed the cracks to the manufacturing process of the wings" as "the
 * manufacturing process of the wings". The blaming and what was blamed are said elsewhere; the cause is
 * what it was blamed on. Three words at least ("attributed the attack to China" names a culprit, not a cause).
 */
export function blamedPart(s: Sentence, span: Span): Span | null {
  const ts = s.tokens.filter((t) => t.start >= span.start && t.end <= span.end);
  const v = ts.findIndex((t) => BLAME.test(t.norm) && (t.pos === 'VERB' || t.pos === 'AUX'));
  if (v < 0) return null;
  // "blamed the problem on", "traced the fault back to": the object is short and holds no punctuation.
  let on = -1;
  for (let i = v + 1; i < Math.min(ts.length, v + 7) && ts[i]!.pos !== 'PUNCT'; i++)
    if (/^(?:on|to)$/.test(ts[i]!.norm)) {
      on = i;
      break;
    }
  if (on < 0) return null;
  const rest = ts.slice(on + 1);
  const end = rest.findIndex((_t, i) => nextClause(rest, i));
  const part = trimEnds(end < 0 ? rest : rest.slice(0, end));
  return words(part) >= 3 ? tokenSpan(s, part) : null;
}

/** The stretch of clauses that carries the cues: from the first part carrying them to the last. */
export function clauseFor(s: Sentence, statement: Span, parts: readonly Token[][], cues: readonly Cue[]): Span {
  if (parts.length < 2) return statement;
  const hit = parts.map((p) => carries(p, s, cues));
  const first = hit.indexOf(true),
    last = hit.lastIndexOf(true);
  if (first < 0) return statement;
  return tokenSpan(s, parts.slice(first, last + 1).flat());
}
