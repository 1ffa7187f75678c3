import type { StageDef } from '../jobs/runner.ts';
import { producerOf } from '../store/store.ts';
import { articleInputs, inputHash, provenance } from './provenance.ts';
import { checkCitations } from '../citations/check.ts';

export const classifyStage: StageDef = {
  name: 'classify',
  plan: (ctx) => ctx.store.listIncidents().map((inc) => ({
    key: inc.id, inputHash: inputHash(ctx, 'classify', articleInputs(ctx.store.articlesByIds(inc.articleIds))),
  })),
  async run(job, ctx) {
    const incident = ctx.store.getIncident(job.key);
    if (!incident) throw new Error(`incident ${job.key} is no longer stored`);
    const articles = ctx.store.articlesByIds(incident.articleIds);
    const prov = provenance(ctx, 'classify');
    const pm = ctx.store.getPostmortem(incident.id, producerOf(prov))?.postmortem ?? null;
    const drafts = await ctx.backend.classify(incident, articles, pm, { store: ctx.store, runId: ctx.runId, subject: incident.id });
    const labels = drafts.map((d) => ({ ...d, provenance: prov }));
    checkCitations(labels, articles);
    ctx.store.completeJob('classify', job.key, job.inputHash, ctx.runId, () => ctx.store.saveLabels(incident.id, labels));
  },
};
