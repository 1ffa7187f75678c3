import { RecursiveCharacterTextSplitter } from '@langchain/textsplitters';
import type { Article } from '../../../schemas/index.ts';
import { placeQuote } from '../../citations/align.ts';
import { type Passage, renderPassages, wholeArticle } from './articles.ts';
import type { TokenCounter } from './tokens.ts';

/** Overlap between neighbouring chunks, so a fact straddling a cut is whole in one of them. */
const OVERLAP = 0.05;
/** Tokens a block's header lines take (boundary lines, id, headline, dates), beside the text. */
const HEADER_TOKENS = 80;

/**
 * Cuts an article into passages of at most `maxTokens` tokens, on paragraph, then line, then word
 * boundaries. The splitter returns strings; their offsets in the original text are found here, from
 * a cursor that only moves forward, so every passage (and every quote placed in it) keeps its
 * position in the article.
 */
export async function splitArticle(article: Article, maxTokens: number, count: TokenCounter): Promise<Passage[]> {
  if (count(article.text) <= maxTokens) return [wholeArticle(article)];
  const splitter = new RecursiveCharacterTextSplitter({
    chunkSize: maxTokens,
    chunkOverlap: Math.floor(maxTokens * OVERLAP),
    lengthFunction: count,
  });
  const chunks = await splitter.splitText(article.text);
  const out: Passage[] = [];
  let cursor = 0;
  for (const chunk of chunks) {
    let start = article.text.indexOf(chunk, cursor),
      end = start + chunk.length;
    if (start < 0) {
      // The splitter may have trimmed or re-joined whitespace: place the chunk as we place a quote.
      const p = placeQuote(chunk, article.text.slice(cursor));
      if (p.alignment === 'unaligned') throw new Error(`article ${article.id}: a chunk could not be located in the text`);
      start = cursor + p.start;
      end = cursor + p.end;
    }
    out.push({ article, start, end });
    cursor = start + 1;
  }
  return out;
}

/** The start of an article that fits the budget: enough to screen it, since news puts the event first. */
export async function leadOf(article: Article, maxTokens: number, count: TokenCounter): Promise<Passage> {
  return (await splitArticle(article, Math.max(50, maxTokens - HEADER_TOKENS), count))[0];
}

/**
 * Packs an incident's articles into as few calls as the budget allows, in order. Articles longer than
 * a whole call are chunked first. One batch means one call sees everything; more mean map-reduce.
 */
export async function planBatches(articles: readonly Article[], budget: number, count: TokenCounter): Promise<Passage[][]> {
  const passages = (await Promise.all(articles.map((a) => splitArticle(a, Math.max(50, budget - HEADER_TOKENS), count)))).flat();
  const batches: Passage[][] = [];
  let current: Passage[] = [],
    used = 0;
  for (const p of passages) {
    const tokens = count(renderPassages([p])) + 2;
    if (current.length && used + tokens > budget) {
      batches.push(current);
      current = [];
      used = 0;
    }
    current.push(p);
    used += tokens;
  }
  if (current.length) batches.push(current);
  return batches;
}
