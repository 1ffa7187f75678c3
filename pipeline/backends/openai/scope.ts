import type { Article } from '../../../schemas/index.ts';
import type { Passage } from './articles.ts';

/** The line that tells the model whether it sees all of an incident's coverage or one part of it. */
export function scopeLine(batch: readonly Passage[], index: number, batches: number, articles: readonly Article[]): string {
  if (batches === 1) return `The incident is reported by the ${articles.length} article(s) below.`;
  const excerpts = batch.some((p) => p.start > 0 || p.end < p.article.text.length);
  return `The coverage of this incident is too long for one request, so it is read in ${batches} parts. This is part ${index + 1}: ${batch.length} article(s)${excerpts ? ', some of them excerpts (their excerpt: line says which characters of the article they hold)' : ''}. Answer from this part only; the parts are combined afterwards.`;
}
