import type { StageDef } from '../jobs/runner.ts';
import { incidentInputs, inputHash, provenance } from './provenance.ts';
import { checkCitations } from '../citations/check.ts';

export const extractStage: StageDef = {
  name: 'extract',
  plan: (ctx) => {
    const hashes = ctx.store.articleHashes({ includeDuplicates: true });
    return ctx.store.listIncidents().map((inc) => ({ key: inc.id, inputHash: inputHash(ctx, 'extract', incidentInputs(hashes, inc.articleIds)) }));
  },
  async run(job, ctx) {
    const incident = ctx.store.getIncident(job.key);
    if (!incident) throw new Error(`incident ${job.key} is no longer stored`);
    const articles = ctx.store.articlesByIds(incident.articleIds);
    const pm = await ctx.backend.extract(incident, articles, { store: ctx.store, runId: ctx.runId, subject: incident.id });
    checkCitations(pm, articles);
    ctx.store.completeJob('extract', job.key, job.inputHash, ctx.runId, () => ctx.store.savePostmortem(incident.id, pm, provenance(ctx, 'extract')));
  },
};
