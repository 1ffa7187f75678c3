import type { Article, Screening } from '../../../schemas/index.ts';
import type { CallContext } from '../backend.ts';
import { renderPassages } from './articles.ts';
import { leadOf } from './chunking.ts';
import { type Engine, SPECS } from './engine.ts';
import { askStructured } from './reask.ts';

/**
 * Screening reads the article's start, up to the budget: a report states its event first. The offline
 * pre-filter, when on, settles the clear cases first; every decision is recorded, settled or not.
 */
export async function screenArticle(e: Engine, article: Article, ctx: CallContext): Promise<Screening> {
  const pre = e.prefilter?.screen(article);
  const record = (settled: boolean, answer: boolean) =>
    pre &&
    ctx.decisions.recordDecision({
      runId: ctx.runId,
      stage: 'screen',
      subject: article.id,
      against: [],
      settled,
      answer,
      score: pre.score,
    });
  if (pre?.settled) {
    record(true, pre.settled.isFailure);
    return pre.settled;
  }
  const lead = await leadOf(article, e.articleBudget('screen'), e.count);
  const { value } = await askStructured(
    e.chat,
    e.messages('screen', { articles: renderPassages([lead]) }),
    { ...SPECS.screen, maxTokens: 600 },
    ctx,
    e.s.maxReasks,
  );
  record(false, value.isFailure);
  return {
    isFailure: value.isFailure,
    // Analysable presupposes a failure; a model that says otherwise is overruled, not trusted.
    analyzable: value.isFailure && value.analyzable,
    confidence: value.confidence,
    rationale: value.rationale,
  };
}
