import { its, nlp } from './nlp.ts';

/**
 * A word's Porter stem, as wink-nlp gives it ("failures" → "failur"), the same stem the eval's fact
 * matching uses (evals/facts.ts). The stemmer reads words alone, so each is stemmed once and kept.
 */
const stems = new Map<string, string>();
const KEEP = 100_000;

export function stem(word: string): string {
  let s = stems.get(word);
  if (s !== undefined) return s;
  // wink-nlp's typings omit the model addons that its.stem needs at run time; the lite model provides them.
  s =
    (
      nlp
        .readDoc(word)
        .tokens()
        .out(its.stem as unknown as typeof its.normal) as string[]
    )[0] ?? word;
  if (stems.size >= KEEP) stems.clear();
  stems.set(word, s);
  return s;
}
