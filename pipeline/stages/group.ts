import type { PlannedJob, StageContext, StageDef } from '../jobs/runner.ts';
import { callContext } from './call.ts';
import { GROUPING_METHOD, Grouper } from '../group/cluster.ts';
import { AskAhead, askBackend } from '../group/ahead.ts';
import { TUNING } from '../group/tuning.ts';
import { inputHash } from './provenance.ts';

/**
 * Puts each article screened as a failure into an incident. Articles already in an incident stay
 * there (unless the run regroups: run.ts); new ones join the incidents of the earlier articles the backend calls the same story, possibly
 * bridging two incidents into one. Jobs run one at a time in article order, while the backend's
 * same-incident calls for the articles ahead run concurrently.
 */
export const groupStage: StageDef<AskAhead> = {
  name: 'group',
  sequential: true,
  plan(ctx) {
    const all = groupJobs(ctx);
    // Their jobs are left as they were, so that every later run still knows them for what they are.
    const stale = staleKeys(ctx, all);
    return all.filter((j) => !stale.has(j.key));
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
  // A pending job's article is in no incident: plan leaves out those another grouping put in one.
  async run(job, ctx, pass) {
    const a = await pass.assign(job.key);
    ctx.store.jobs.complete('group', job.key, job.inputHash, ctx.runId, () => {
      for (const drop of a.merged) ctx.store.incidents.merge(a.incidentId, drop);
      ctx.store.incidents.addArticle(a.incidentId, job.key, a.similarity, ctx.runId);
    });
  },
};

/** Every failure report's grouping job, under the inputs it would be grouped by now. */
function groupJobs(ctx: StageContext): PlannedJob[] {
  const screenings = ctx.store.records.screenings();
  return [...ctx.store.articles.hashes()]
    .filter(([id]) => screenings.get(id)?.isFailure)
    .map(([id, hash]) => ({ key: id, inputHash: inputHash(ctx, 'group', [GROUPING_METHOD, hash]) }));
}

/**
 * Articles that sit in an incident another grouping put them in: another backend or model, another
 * grouping method or tuning, or the article's text since changed. They stay there unless regrouped
 * (runPipeline's `regroup`), so that incidents, and what reviewers decided about them, do not move
 * under a user's feet; a fresh database would group them as this grouping does.
 */
function staleKeys(ctx: StageContext, planned: readonly PlannedJob[]): Set<string> {
  const done = ctx.store.jobs.forStage('group');
  const members = ctx.store.incidents.membership();
  return new Set(
    planned
      .filter((j) => {
        const row = done.get(j.key);
        return members.has(j.key) && (row?.state !== 'done' || row.inputHash !== j.inputHash);
      })
      .map((j) => j.key),
  );
}

export const staleGrouping = (ctx: StageContext): number => staleKeys(ctx, groupJobs(ctx)).size;
