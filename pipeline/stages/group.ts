import type { StageDef } from '../jobs/runner.ts';
import { callContext } from './call.ts';
import { GROUPING_METHOD, Grouper } from '../group/cluster.ts';
import { AskAhead, askBackend } from '../group/ahead.ts';
import { TUNING } from '../group/tuning.ts';
import { inputHash } from './provenance.ts';

/**
 * Puts each article screened as a failure into an incident. Articles already in an incident stay
 * there; new ones join the incidents of the earlier articles the backend calls the same story, possibly
 * bridging two incidents into one. Jobs run one at a time in article order, while the backend's
 * same-incident calls for the articles ahead run concurrently.
 */
export const groupStage: StageDef<AskAhead> = {
  name: 'group',
  sequential: true,
  plan(ctx) {
    const screenings = ctx.store.records.screenings();
    return [...ctx.store.articles.hashes()]
      .filter(([id]) => screenings.get(id)?.isFailure)
      .map(([id, hash]) => ({ key: id, inputHash: inputHash(ctx, 'group', [GROUPING_METHOD, hash]) }));
  },
  prepare(ctx, pending, opts) {
    const screenings = ctx.store.records.screenings();
    const grouper = new Grouper(ctx.store.articles.stream(), (id) => !!screenings.get(id)?.isFailure, ctx.store.incidents.membership());
    const ask = askBackend(
      ctx.backend,
      (id) => ctx.store.articles.get(id),
      (subject) => callContext(ctx.store, ctx.runId, subject),
    );
    return new AskAhead(
      grouper,
      pending.map((j) => j.key),
      ask,
      { concurrency: opts.concurrency, ahead: TUNING.askAhead },
    );
  },
  async run(job, ctx, pass) {
    if (pass.grouped(job.key)) {
      ctx.store.jobs.complete('group', job.key, job.inputHash, ctx.runId, () => {});
      return;
    }
    const a = await pass.assign(job.key);
    ctx.store.jobs.complete('group', job.key, job.inputHash, ctx.runId, () => {
      for (const drop of a.merged) ctx.store.incidents.merge(a.incidentId, drop);
      ctx.store.incidents.addArticle(a.incidentId, job.key, a.similarity, ctx.runId);
    });
  },
};
