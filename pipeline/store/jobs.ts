import { z } from 'zod';
import { JobState, Stage } from '../../schemas/index.ts';
import { type Connection, now } from './connection.ts';
import { fromColumns, reader } from './rows.ts';

/** One row of `jobs`: a stage's unit of work, keyed by article or incident id. */
export const Job = z.object({
  stage: Stage,
  key: z.string(),
  inputHash: z.string(),
  state: JobState,
  attempts: z.number().int(),
  error: z.string().nullable(),
  runId: z.string().nullable(),
});
export type Job = z.infer<typeof Job>;

const jobs = reader('jobs', fromColumns(Job));
const tally = reader('jobs', z.object({ stage: z.string(), state: z.string(), n: z.number().int() }));

/** Each stage's jobs: what was done for which inputs, so a re-run does only what changed or failed. */
export class JobStore {
  constructor(private readonly c: Connection) {}

  forStage(stage: Stage): Map<string, Job> {
    return new Map(jobs.all(this.c.db.prepare('SELECT * FROM jobs WHERE stage = ?').all(stage)).map((j) => [j.key, j]));
  }

  mark(stage: Stage, key: string, inputHash: string, state: JobState, runId: string, error: string | null = null): void {
    this.c.db.prepare(`INSERT INTO jobs (stage, key, input_hash, state, attempts, error, run_id, updated_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (stage, key) DO UPDATE SET input_hash = excluded.input_hash, state = excluded.state,
        attempts = jobs.attempts + excluded.attempts, error = excluded.error, run_id = excluded.run_id, updated_at = excluded.updated_at`)
      .run(stage, key, inputHash, state, state === 'running' ? 1 : 0, error, runId, now());
  }

  /** Writes a job's results and marks it done in one transaction: a kill leaves both or neither. */
  complete(stage: Stage, key: string, inputHash: string, runId: string, write: () => void): void {
    this.c.tx(() => {
      write();
      this.mark(stage, key, inputHash, 'done', runId);
    });
  }

  /** Forgets the jobs of these stages for one key, so they are planned afresh. */
  forget(stages: readonly Stage[], key: string): void {
    const del = this.c.db.prepare('DELETE FROM jobs WHERE stage = ? AND key = ?');
    for (const stage of stages) del.run(stage, key);
  }

  /** Jobs a killed process left running become pending again. */
  releaseRunning(): void {
    this.c.db.prepare("UPDATE jobs SET state = 'pending' WHERE state = 'running'").run();
  }

  counts(): Record<string, Record<string, number>> {
    const out: Record<string, Record<string, number>> = {};
    for (const r of tally.all(this.c.db.prepare('SELECT stage, state, COUNT(*) n FROM jobs GROUP BY stage, state').all())) {
      (out[r.stage] ??= {})[r.state] = r.n;
    }
    return out;
  }

  failed(): Job[] {
    return jobs.all(this.c.db.prepare("SELECT * FROM jobs WHERE state = 'failed' ORDER BY stage, key").all());
  }
}
