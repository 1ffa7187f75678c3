import type { StageDef } from '../jobs/runner.ts';
import { callContext } from './call.ts';
import { incidentInputs, inputHash, provenance } from './provenance.ts';
import { checkCitations } from '../citations/check.ts';

export const extractStage: StageDef = {
  name: 'extract',
  plan: (ctx) => {
    const hashes = ctx.store.articles.hashes({ includeDuplicates: true });
    return ctx.store.incidents
      .list()
      .map((inc) => ({ key: inc.id, inputHash: inputHash(ctx, 'extract', incidentInputs(hashes, inc.articleIds)) }));
  },
  async run(job, ctx) {
    const incident = ctx.store.incidents.get(job.key);
    if (!incident) throw new Error(`incident ${job.key} is no longer stored`);
    const articles = ctx.store.articles.byIds(incident.articleIds);
    const pm = await ctx.backend.extract(incident, articles, callContext(ctx.store, ctx.runId, incident.id));
    checkCitations(pm, articles);
    await ctx.turn?.();
    ctx.store.jobs.complete('extract', job.key, job.inputHash, ctx.runId, () =>
      ctx.store.records.savePostmortem(incident.id, pm, provenance(ctx, 'extract')),
    );
  },
};
