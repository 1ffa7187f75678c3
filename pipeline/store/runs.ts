import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { Run, RunSettings } from '../../schemas/index.ts';
import { type Connection, now } from './connection.ts';
import type { JobStore } from './jobs.ts';
import { fromColumns, jsonText, reader } from './rows.ts';

const runs = reader(
  'runs',
  fromColumns(
    Run.extend({
      settings: jsonText(RunSettings),
      summary: jsonText(z.record(z.string(), z.unknown())).nullable(),
    }),
  ),
);

const ids = reader('runs', z.object({ id: z.string() }));

/** Runs: one row per `failscope run` (or eval), with its settings and summary. */
export class RunStore {
  constructor(
    private readonly c: Connection,
    private readonly jobs: JobStore,
  ) {}

  /** A new run, alive (a worker whose heartbeat keeps its leases) until `finish`. */
  start(settings: RunSettings): Run {
    const run: Run = {
      id: `run-${now()
        .replace(/[-:.TZ]/g, '')
        .slice(0, 14)}-${randomUUID().slice(0, 8)}`,
      startedAt: now(),
      finishedAt: null,
      settings,
      status: 'running',
      summary: null,
    };
    // One transaction: another run recovering in between must not find this one running without a worker.
    this.c.tx(() => {
      this.c.db
        .prepare('INSERT INTO runs (id, started_at, settings, status) VALUES (?, ?, ?, ?)')
        .run(run.id, run.startedAt, JSON.stringify(settings), run.status);
      this.jobs.enlist(run.id);
    });
    return run;
  }

  finish(id: string, status: Run['status'], summary: Record<string, unknown>): void {
    this.c.tx(() => {
      this.c.db
        .prepare('UPDATE runs SET finished_at = ?, status = ?, summary = ? WHERE id = ?')
        .run(now(), status, JSON.stringify(summary), id);
      this.jobs.retire(id);
    });
  }

  list(): Run[] {
    return runs.all(this.c.db.prepare('SELECT * FROM runs ORDER BY started_at, rowid').all());
  }

  /**
   * Runs left `running` by a process that is gone (its leases lapsed) are marked interrupted, and their
   * jobs made pending again. A live run, in this process or another, keeps its status and its jobs.
   */
  recoverInterrupted(): number {
    return this.c.tx(() => {
      const live = this.jobs.reclaimExpired();
      const mark = this.c.db.prepare("UPDATE runs SET status = 'interrupted', finished_at = ? WHERE id = ?");
      const gone = ids.all(this.c.db.prepare("SELECT id FROM runs WHERE status = 'running'").all()).filter((r) => !live.has(r.id));
      for (const r of gone) mark.run(now(), r.id);
      return gone.length;
    });
  }
}
