import type { StageDef } from '../jobs/runner.ts';
import { callContext } from './call.ts';
import { GROUPING_METHOD, Grouper } from '../group/cluster.ts';
import { inputHash } from './provenance.ts';

/**
 * Puts each article screened as a failure into an incident. Articles already in an incident stay
 * there; new ones join by single link, possibly bridging two incidents into one.
 */
export const groupStage: StageDef<Grouper> = {
  name: 'group',
  sequential: true,
  plan(ctx) {
    const screenings = ctx.store.records.screenings();
    return ctx.store.articles.list()
      .filter((a) => screenings.get(a.id)?.isFailure)
      .map((a) => ({ key: a.id, inputHash: inputHash(ctx, 'group', [GROUPING_METHOD, a.contentHash]) }));
  },
  prepare: (ctx) => new Grouper(ctx.store.articles.list(), ctx.store.incidents.membership()),
  async run(job, ctx, grouper) {
    if (grouper.incidentOf.has(job.key)) {
      ctx.store.jobs.complete('group', job.key, job.inputHash, ctx.runId, () => {});
      return;
    }
    const article = ctx.store.articles.get(job.key)!;
    const call = callContext(ctx.store, ctx.runId, article.id);
    const a = await grouper.assign(article, async (art, members, sim) => (await ctx.backend.sameIncident(art, members, sim, call)).same);
    ctx.store.jobs.complete('group', job.key, job.inputHash, ctx.runId, () => {
      for (const drop of a.merged) ctx.store.incidents.merge(a.incidentId, drop);
      ctx.store.incidents.addArticle(a.incidentId, article.id, a.similarity, ctx.runId);
    });
  },
};
