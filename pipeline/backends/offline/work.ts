import type { Article, Postmortem, Screening } from '../../../schemas/index.ts';
import type { LabelDraft } from '../backend.ts';
import { readArticle } from './evidence.ts';
import { screenDoc } from './screen.ts';
import { extractPostmortem } from './extract.ts';
import { classifyDocs } from './classify.ts';
import type { OfflineModel } from './model.ts';

/** What each offline task answers. */
export interface Answers {
  screen: Screening;
  extract: Postmortem;
  classify: LabelDraft[];
}
export type OfflineTask = keyof Answers;

/**
 * The offline backend's CPU work, a pure function of the articles and the model: the same wherever it
 * runs, in the main thread or in a worker (worker.ts), so the records do not depend on the number of workers.
 */
export function doWork<T extends OfflineTask>(task: T, articles: readonly Article[], model: OfflineModel): Answers[T] {
  const docs = articles.map(readArticle);
  const answer =
    task === 'screen' ? screenDoc(docs[0], model) : task === 'extract' ? extractPostmortem(docs, model) : classifyDocs(docs, model);
  return answer as Answers[T];
}
