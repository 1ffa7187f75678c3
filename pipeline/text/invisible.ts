/** Soft hyphens and zero-width characters: invisible in print, common in scraped text. */
export const INVISIBLE_CLASS = '[\\u00ad\\u200b-\\u200d\\u2060\\ufeff]';
const SOME = new RegExp(INVISIBLE_CLASS);
const ANY = new RegExp(INVISIBLE_CLASS, 'g');

/**
 * The text with its invisible characters removed, and where each remaining character stood in the
 * original: the tokenizer splits "soft\u00adware" in two and reads a zero-width space as a word, so it
 * reads the cleaned text, while offsets stay those of the text the citations quote.
 */
export function withoutInvisible(text: string): { clean: string; origin: (i: number) => number } {
  if (!SOME.test(text)) return { clean: text, origin: (i) => i };
  const at: number[] = [];
  let clean = '';
  let from = 0;
  for (const m of text.matchAll(ANY)) {
    for (let i = from; i < m.index; i++) at.push(i);
    clean += text.slice(from, m.index);
    from = m.index + m[0].length;
  }
  for (let i = from; i < text.length; i++) at.push(i);
  clean += text.slice(from);
  at.push(text.length);
  return { clean, origin: (i) => at[i]! };
}
