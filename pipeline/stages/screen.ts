import type { StageDef } from '../jobs/runner.ts';
import { inputHash, provenance } from './provenance.ts';

export const screenStage: StageDef = {
  name: 'screen',
  plan: (ctx) => [...ctx.store.articleHashes()].map(([id, hash]) => ({ key: id, inputHash: inputHash(ctx, 'screen', hash) })),
  async run(job, ctx) {
    const article = ctx.store.getArticle(job.key);
    if (!article) throw new Error(`article ${job.key} is no longer stored`);
    const s = await ctx.backend.screen(article, { store: ctx.store, runId: ctx.runId, subject: article.id });
    ctx.store.completeJob('screen', job.key, job.inputHash, ctx.runId, () => {
      ctx.store.saveScreening(article.id, s, provenance(ctx, 'screen'));
      // An article edited into something that is no longer a failure report leaves its incident.
      if (!s.isFailure) ctx.store.removeFromIncident(article.id);
    });
  },
};
