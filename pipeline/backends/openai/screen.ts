import type { Article, Screening } from '../../../schemas/index.ts';
import type { CallContext } from '../backend.ts';
import { renderPassages } from './articles.ts';
import { leadOf } from './chunking.ts';
import { type Engine, SPECS } from './engine.ts';
import { askStructured } from './reask.ts';

/** Screening reads the article's start, up to the budget: a report states its event first. */
export async function screenArticle(e: Engine, article: Article, ctx: CallContext): Promise<Screening> {
  const lead = await leadOf(article, e.articleBudget('screen'), e.count);
  const { value } = await askStructured(e.chat, e.messages('screen', { articles: renderPassages([lead]) }), { ...SPECS.screen, maxTokens: 600 }, ctx, e.s.maxReasks);
  return {
    isFailure: value.isFailure,
    // Analysable presupposes a failure; a model that says otherwise is overruled, not trusted.
    analyzable: value.isFailure && value.analyzable,
    confidence: value.confidence,
    rationale: value.rationale,
  };
}
