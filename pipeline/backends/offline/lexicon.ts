import { z } from 'zod';
import { contentWords, splitSentences, type Token } from '../../text/sentences.ts';
import { stem } from '../../text/stem.ts';
import type { Features } from './logistic.ts';

/**
 * How much a field's facts are worded like this: per word, the log-odds of meeting it in the field's
 * gold facts rather than in the stories' sentences and the other fields' facts (the background; see
 * base.ts). Cues name what a cause or a prevention is about; analysts' facts show which words they
 * actually pick out ("testing", "training", "patch", "bug"), learned from labelled incidents. A candidate's score is the sum over its distinct
 * words, over the square root of their number, so a long clause does not score by length alone.
 */
export const Lexicon = z.object({
  /** Word → log-odds; a word the facts never use, or too rare to judge, weighs `unseen`. */
  weights: z.record(z.string(), z.number()),
  unseen: z.number(),
});
export type Lexicon = z.infer<typeof Lexicon>;

/**
 * How many words' worth of the background a field's counts start from: a word's share of the facts is
 * shrunk toward its share of the stories, so a word met once is not taken for a cue, and a word the
 * facts never use weighs log(PRIOR / (facts + PRIOR)) rather than whatever the sizes of the two bags
 * make of it (Monroe, Colaresi and Quinn's informative Dirichlet prior).
 */
const PRIOR = 1000;
/** A fact word met fewer times than this in facts and stories together is not judged: it weighs `unseen`. */
const MIN_COUNT = 2;

/** Words as a lexicon counts them: content words, stemmed, so "failed" and "failures" count as one. */
const stemmed = (tokens: readonly Token[]) => contentWords(tokens).map(stem);
export const textWords = (text: string): string[] => splitSentences(text).flatMap((s) => stemmed(s.tokens));
export const spanWords = (tokens: readonly Token[], span: { start: number; end: number }): string[] =>
  stemmed(tokens.filter((t) => t.start >= span.start && t.end <= span.end));
export const sentenceWords = stemmed;

/** Word counts of a bag of texts (each text's words once), and their total. */
export interface Counts {
  words: Map<string, number>;
  total: number;
}
export const emptyCounts = (): Counts => ({ words: new Map(), total: 0 });
export function addCounts(into: Counts, words: readonly string[], weight = 1): Counts {
  for (const w of new Set(words)) into.words.set(w, (into.words.get(w) ?? 0) + weight);
  into.total += weight * new Set(words).size;
  return into;
}
export function mergeCounts(parts: readonly Counts[]): Counts {
  const out = emptyCounts();
  for (const p of parts) {
    for (const [w, n] of p.words) out.words.set(w, (out.words.get(w) ?? 0) + n);
    out.total += p.total;
  }
  return out;
}

/** The lexicon of `facts` (the field's gold facts) against `background` (the stories' sentences). */
export function learnLexicon(facts: Counts, background: Counts): Lexicon {
  const vocabulary = new Set([...facts.words.keys(), ...background.words.keys()]).size;
  const share = (w: string) => ((background.words.get(w) ?? 0) + 0.5) / (background.total + 0.5 * vocabulary);
  const weight = (w: string) => Math.log(((facts.words.get(w) ?? 0) + PRIOR * share(w)) / (facts.total + PRIOR)) - Math.log(share(w));
  const weights: Record<string, number> = {};
  // A word the facts never use weighs exactly `unseen` (its share cancels out), so only the facts' words are kept.
  for (const [w, n] of facts.words) if (n + (background.words.get(w) ?? 0) >= MIN_COUNT) weights[w] = Number(weight(w).toFixed(3));
  return { weights, unseen: Number(Math.log(PRIOR / (facts.total + PRIOR)).toFixed(3)) };
}

export function lexiconScore(lex: Lexicon, words: readonly string[]): number {
  const distinct = new Set(words);
  if (distinct.size === 0) return 0;
  let s = 0;
  for (const w of distinct) s += lex.weights[w] ?? lex.unseen;
  return s / Math.sqrt(distinct.size);
}

/** A candidate's features for a field whose model has a lexicon: its own, and the lexicon's score of its words. */
export const withLexicon = (x: Features, lex: Lexicon | null, words: () => readonly string[]): Features =>
  lex ? { ...x, lex: lexiconScore(lex, words()) } : x;
