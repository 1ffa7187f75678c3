import type { StageDef } from '../jobs/runner.ts';
import { callContext } from './call.ts';
import { inputHash, provenance } from './provenance.ts';

export const screenStage: StageDef = {
  name: 'screen',
  plan: (ctx) => [...ctx.store.articles.hashes()].map(([id, hash]) => ({ key: id, inputHash: inputHash(ctx, 'screen', hash) })),
  async run(job, ctx) {
    const article = ctx.store.articles.get(job.key);
    if (!article) throw new Error(`article ${job.key} is no longer stored`);
    const s = await ctx.backend.screen(article, callContext(ctx.store, ctx.runId, article.id));
    await ctx.turn?.();
    ctx.store.jobs.complete('screen', job.key, job.inputHash, ctx.runId, () => {
      ctx.store.records.saveScreening(article.id, s, provenance(ctx, 'screen'));
      // An article edited into something that is no longer a failure report leaves its incident.
      if (!s.isFailure) ctx.store.incidents.removeArticle(article.id);
    });
  },
};
