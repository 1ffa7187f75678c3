import type { StageDef } from '../jobs/runner.ts';
import { producerOf } from '../store/store.ts';
import { incidentInputs, inputHash, provenance } from './provenance.ts';
import { checkCitations } from '../citations/check.ts';
import { hashOf } from '../text/hash.ts';

export const classifyStage: StageDef = {
  name: 'classify',
  // The backend may classify from the postmortem (the openai backend reads its summary and verified quotes), so a
  // changed extraction re-runs classification.
  plan: (ctx) => {
    const producer = producerOf(provenance(ctx, 'classify'));
    const hashes = ctx.store.articleHashes({ includeDuplicates: true });
    const pmHashes = new Map<string, string>();
    for (const [id, pm] of ctx.store.postmortems(producer)) pmHashes.set(id, hashOf(pm));
    return ctx.store.listIncidents().map((inc) => ({
      key: inc.id, inputHash: inputHash(ctx, 'classify', [incidentInputs(hashes, inc.articleIds), pmHashes.get(inc.id) ?? null]),
    }));
  },
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
