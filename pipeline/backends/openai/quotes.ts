import type { Alignment, Citation } from '../../../schemas/index.ts';
import { placeQuote } from '../../citations/align.ts';
import { type Passage, passageText } from './articles.ts';
import type { Evidence } from './schemas.ts';

/** Every evidence item in an answer, wherever it sits (facts, labels), with a readable path. */
export function evidenceIn(value: unknown, path = ''): { path: string; ev: Evidence }[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => evidenceIn(v, `${path}[${i}]`));
  if (!value || typeof value !== 'object') return [];
  const out: { path: string; ev: Evidence }[] = [];
  for (const [k, v] of Object.entries(value)) {
    const here = path ? `${path}.${k}` : k;
    if (k === 'evidence' && Array.isArray(v)) v.forEach((ev: Evidence, i) => out.push({ path: `${here}[${i}]`, ev }));
    else out.push(...evidenceIn(v, here));
  }
  return out;
}

export interface Placed {
  citation: Citation;
  /** Why it could not be placed, for the re-ask. */
  problem: string | null;
}

/**
 * Finds which article a model's `articleId` means: the id as given, or the block number when the
 * model wrote "1", "#1" or "Article 1" instead.
 */
function resolveArticle(articleId: string, passages: readonly Passage[]): string | null {
  const id = articleId.trim();
  if (passages.some((p) => p.article.id === id)) return id;
  const byCase = passages.find((p) => p.article.id.toLowerCase() === id.toLowerCase());
  if (byCase) return byCase.article.id;
  const n = /^(?:article\s*)?#?\s*(\d+)$/i.exec(id);
  if (n && passages[Number(n[1]) - 1]) return passages[Number(n[1]) - 1].article.id;
  return null;
}

/**
 * Places a quote in the passages of its article that the model was shown, then anywhere in that
 * article (a quote from the overlap of two chunks, say). Offsets are always in the whole article, and
 * the citation carries the article's text at them, never the model's wording.
 */
export function placeEvidence(ev: Evidence, passages: readonly Passage[]): Placed {
  const id = resolveArticle(ev.articleId, passages);
  const unaligned = (articleId: string, problem: string): Placed => ({
    citation: { articleId, quote: ev.quote, start: -1, end: -1, alignment: 'unaligned' },
    problem,
  });
  if (!id) return unaligned(ev.articleId, `there is no article with id "${ev.articleId}" in this request`);
  const mine = passages.filter((p) => p.article.id === id);
  const text = mine[0].article.text;
  const placed = (start: number, end: number, alignment: Alignment): Placed => ({
    citation: { articleId: id, quote: text.slice(start, end), start, end, alignment },
    problem: null,
  });
  for (const p of mine) {
    const at = placeQuote(ev.quote, passageText(p));
    if (at.alignment !== 'unaligned') return placed(p.start + at.start, p.start + at.end, at.alignment);
  }
  const whole = placeQuote(ev.quote, text);
  if (whole.alignment !== 'unaligned') return placed(whole.start, whole.end, whole.alignment);
  return unaligned(id, `this text does not appear in article ${id}`);
}

const clip = (s: string, n = 300) => (s.length > n ? `${s.slice(0, n)}…` : s);

/** The re-ask after quote checking: names each quote that could not be found, and what lacks any quote. */
export function quoteReask(failed: readonly { path: string; ev: Evidence; problem: string }[], unsupported: readonly string[]): string {
  const lines = ['Some of your evidence could not be checked against the articles.'];
  if (failed.length) {
    lines.push('', 'These quotes were not found verbatim:');
    failed.forEach((f, i) => lines.push(`${i + 1}. ${f.path} (articleId "${f.ev.articleId}"): "${clip(f.ev.quote)}" — ${f.problem}.`));
  }
  if (unsupported.length) {
    lines.push('', 'These items have no quote at all:');
    unsupported.forEach((u) => lines.push(`- ${u}`));
  }
  lines.push(
    '',
    'Reply again with the complete JSON object. Replace each quote above with text copied exactly, character for character, from the body of the article it names, and give the article\'s id exactly as its id: line shows it. Where no passage of the articles supports an item, remove that item (for a taxonomy dimension, answer ["unknown"] instead). Keep everything else as it was.',
  );
  return lines.join('\n');
}
