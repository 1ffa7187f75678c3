import type { StageDef } from '../jobs/runner.ts';
import { callContext } from './call.ts';
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
    const hashes = ctx.store.articles.hashes({ includeDuplicates: true });
    const pmHashes = new Map<string, string>();
    for (const [id, pm] of ctx.store.records.postmortems(producer)) pmHashes.set(id, hashOf(pm));
    return ctx.store.incidents.list().map((inc) => ({
      key: inc.id,
      inputHash: inputHash(ctx, 'classify', [incidentInputs(hashes, inc.articleIds), pmHashes.get(inc.id) ?? null]),
    }));
  },
  async run(job, ctx) {
    const incident = ctx.store.incidents.get(job.key);
    if (!incident) throw new Error(`incident ${job.key} is no longer stored`);
    const articles = ctx.store.articles.byIds(incident.articleIds);
    const prov = provenance(ctx, 'classify');
    const pm = ctx.store.records.postmortem(incident.id, producerOf(prov))?.postmortem ?? null;
    const drafts = await ctx.backend.classify(incident, articles, pm, callContext(ctx.store, ctx.runId, incident.id));
    const labels = drafts.map((d) => ({ ...d, provenance: prov }));
    checkCitations(labels, articles);
    await ctx.turn?.();
    ctx.store.jobs.complete('classify', job.key, job.inputHash, ctx.runId, () => ctx.store.records.saveLabels(incident.id, labels));
  },
};
