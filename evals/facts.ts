import { nlp, its } from '../pipeline/text/nlp.ts';
import { withoutInvisible } from '../pipeline/text/invisible.ts';

/**
 * Fact-level matching of postmortem fields. The rule, applied alike to our facts and to FAIL's:
 *
 * 1. Gold (and FAIL's) field text is split into facts at its numbering ("1. … 2. …"); text without
 *    numbering is one fact. Article references in brackets ("[26032]", "[Article 26032]") are removed.
 *    Facts that only say the answer is not known ("Unknown", "None", "N/A") are dropped: such a field
 *    has no facts to recall.
 * 2. A fact's content tokens are its words and numbers, lower-cased, without stop words and one-letter
 *    words, with words reduced by the Porter stemmer (wink-nlp), numbers kept as written without commas.
 * 3. A predicted fact P matches a gold fact G when P holds at least MATCH_THRESHOLD of G's distinct
 *    content tokens (ROUGE-1 recall of G in P) and at least min(2, |G|) of them.
 * 4. Recall = gold facts matched by some predicted fact / gold facts; precision = predicted facts that
 *    match some gold fact / predicted facts.
 */
export const MATCH_THRESHOLD = 0.5;

const NOT_KNOWN =
  /^(unknown|unkown|none|n\/?a|not (known|mentioned|reported|specified|applicable|available)|no information( available)?|no)\.?$/i;
const REFS = /\[(?:articles?\s*)?(?:#?\s*\d+\s*,?\s*)+\]/gi;

export function splitFacts(text: string | null | undefined): string[] {
  if (!text) return [];
  const clean = text.replace(REFS, ' ');
  // A number opening a line, or a number following sentence punctuation, starts a fact.
  const parts = clean.split(/(?:^|\n|(?<=[.;:!?"')\]])\s+)\s*\d{1,2}[.)]\s+/);
  return parts.map((p) => p.replace(/\s+/g, ' ').trim()).filter((p) => p.length > 0 && !NOT_KNOWN.test(p));
}

const tokenCache = new Map<string, string[]>();

export function contentTokens(text: string): string[] {
  const hit = tokenCache.get(text);
  if (hit) return hit;
  const doc = nlp.readDoc(withoutInvisible(text).clean);
  const normal = doc.tokens().out(its.normal) as string[];
  // wink-nlp's typings omit the model addons that its.stem needs at run time; the lite model provides them.
  const stems = doc.tokens().out(its.stem as unknown as typeof its.normal) as string[];
  const types = doc.tokens().out(its.type) as string[];
  const stops = doc.tokens().out(its.stopWordFlag) as unknown as boolean[];
  const out = new Set<string>();
  for (let i = 0; i < normal.length; i++) {
    if (types[i] === 'number') out.add(normal[i].replace(/,/g, ''));
    else if (types[i] === 'word' && !stops[i] && normal[i].length > 1) out.add(stems[i]);
  }
  const tokens = [...out];
  if (tokenCache.size > 50_000) tokenCache.clear();
  tokenCache.set(text, tokens);
  return tokens;
}

export function factMatches(gold: string, predicted: string): boolean {
  const g = contentTokens(gold);
  if (g.length === 0) return false;
  const p = new Set(contentTokens(predicted));
  const shared = g.filter((t) => p.has(t)).length;
  return shared >= Math.min(2, g.length) && shared / g.length >= MATCH_THRESHOLD;
}

export interface FactMatch {
  gold: number;
  predicted: number;
  matchedGold: number;
  matchedPredicted: number;
}

export function matchFacts(gold: readonly string[], predicted: readonly string[]): FactMatch {
  const hitGold = new Set<number>(),
    hitPred = new Set<number>();
  gold.forEach((g, i) =>
    predicted.forEach((p, j) => {
      if (factMatches(g, p)) {
        hitGold.add(i);
        hitPred.add(j);
      }
    }),
  );
  return { gold: gold.length, predicted: predicted.length, matchedGold: hitGold.size, matchedPredicted: hitPred.size };
}
