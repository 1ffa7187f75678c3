import type { Article } from '../../../schemas/index.ts';
import { hashOf } from '../../text/hash.ts';

/** Some or all of one article's text, as shown to the model; `start`/`end` are offsets in the article. */
export interface Passage {
  article: Article;
  start: number;
  end: number;
}

export const passageText = (p: Passage) => p.article.text.slice(p.start, p.end);
export const wholeArticle = (article: Article): Passage => ({ article, start: 0, end: article.text.length });

const oneLine = (s: string | null) => (s ?? 'unknown').replace(/\s+/g, ' ').trim();

/**
 * The boundary code of a block: a hash of the passage itself. An article cannot carry the code of
 * its own block (that would need a hash fixed point), so text that imitates an END line inside an
 * article can never close its block early.
 */
export const boundaryOf = (p: Passage) => hashOf(['article-block', p.article.id, p.start, p.end, passageText(p)]).slice(0, 12);

/** One numbered block: everything an article supplies sits between its BEGIN and END lines. */
function block(n: number, code: string, article: Article, head: readonly string[], text: string): string {
  return [
    `<<<BEGIN ARTICLE ${n} · boundary ${code}>>>`,
    `id: ${article.id}`,
    `headline: ${oneLine(article.headline)}`,
    ...head,
    'text:',
    text,
    `<<<END ARTICLE ${n} · boundary ${code}>>>`,
  ].join('\n');
}

/**
 * Numbered, delimited blocks of untrusted article text. Everything an article supplies (headline,
 * source, body) sits between its BEGIN and END lines; the system message tells the model that what
 * lies between them is data, never instructions.
 */
export function renderPassages(passages: readonly Passage[], firstNumber = 1): string {
  return passages
    .map((p, i) => {
      const partial = p.start > 0 || p.end < p.article.text.length;
      const head = [`published: ${oneLine(p.article.published)}`, `source: ${oneLine(p.article.source)}`];
      if (partial) head.push(`excerpt: characters ${p.start}-${p.end} of ${p.article.text.length}`);
      return block(firstNumber + i, boundaryOf(p), p.article, head, passageText(p));
    })
    .join('\n\n');
}

/** The separator between an article's quoted passages in an excerpts block: a paragraph break. */
export const EXCERPT_GAP = '\n\n';

/**
 * A block of selected spans of one article (in order, not overlapping), in place of its whole text.
 * The code hashes what the block holds, as for a passage, so the spans cannot forge their own END line.
 * Only the id and headline head it: what the spans are is said once, in the request, not per block.
 */
export function renderExcerpts(article: Article, spans: readonly { start: number; end: number }[], n: number): string {
  const text = spans.map((s) => article.text.slice(s.start, s.end)).join(EXCERPT_GAP);
  const code = hashOf(['excerpts-block', article.id, spans.map((s) => [s.start, s.end]), text]).slice(0, 12);
  return block(n, code, article, [], text);
}

export interface ParsedBlock {
  n: number;
  boundary: string;
  id: string;
  headline: string;
  published: string | null;
  source: string | null;
  excerpt: { start: number; end: number } | null;
  text: string;
}

/**
 * Reads blocks back out of a message: the inverse of renderPassages. An OpenAI-compatible test server
 * uses it to answer as a model would, and tests use it to check what the model was shown.
 */
export function parseBlocks(message: string): ParsedBlock[] {
  const out: ParsedBlock[] = [];
  const re = /^<<<BEGIN ARTICLE (\d+) · boundary (\w+)>>>\n([\s\S]*?)\n<<<END ARTICLE \1 · boundary \2>>>$/gm;
  for (const m of message.matchAll(re)) {
    const body = m[3];
    const at = body.indexOf('\ntext:\n');
    const head = body.slice(0, at);
    const field = (k: string) => new RegExp(`^${k}: (.*)$`, 'm').exec(head)?.[1] ?? null;
    const ex = /^excerpt: characters (\d+)-(\d+) of \d+$/m.exec(head);
    const known = (v: string | null) => (v === null || v === 'unknown' ? null : v);
    out.push({
      n: Number(m[1]),
      boundary: m[2],
      id: field('id') ?? '',
      headline: field('headline') ?? '',
      published: known(field('published')),
      source: known(field('source')),
      excerpt: ex ? { start: Number(ex[1]), end: Number(ex[2]) } : null,
      text: body.slice(at + '\ntext:\n'.length),
    });
  }
  return out;
}
