import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { Run, RunSettings } from '../../schemas/index.ts';
import { type Connection, now } from './connection.ts';
import type { JobStore } from './jobs.ts';
import { fromColumns, jsonText, reader } from './rows.ts';

const runs = reader('runs', fromColumns(Run.extend({
  settings: jsonText(RunSettings),
  summary: jsonText(z.record(z.string(), z.unknown())).nullable(),
})));

/** Runs: one row per `failscope run` (or eval), with its settings and summary. */
export class RunStore {
  constructor(private readonly c: Connection, private readonly jobs: JobStore) {}

  start(settings: RunSettings): Run {
    const run: Run = { id: `run-${now().replace(/[-:.TZ]/g, '').slice(0, 14)}-${randomUUID().slice(0, 8)}`, startedAt: now(), finishedAt: null, settings, status: 'running', summary: null };
    this.c.db.prepare('INSERT INTO runs (id, started_at, settings, status) VALUES (?, ?, ?, ?)').run(run.id, run.startedAt, JSON.stringify(settings), run.status);
    return run;
  }

  finish(id: string, status: Run['status'], summary: Record<string, unknown>): void {
    this.c.db.prepare('UPDATE runs SET finished_at = ?, status = ?, summary = ? WHERE id = ?').run(now(), status, JSON.stringify(summary), id);
  }

  list(): Run[] {
    return runs.all(this.c.db.prepare('SELECT * FROM runs ORDER BY started_at, rowid').all());
  }

  /** Runs left `running` by a killed process are marked interrupted, and their jobs made pending again. */
  recoverInterrupted(): number {
    return this.c.tx(() => {
      this.jobs.releaseRunning();
      return this.c.db.prepare("UPDATE runs SET status = 'interrupted', finished_at = ? WHERE status = 'running'").run(now()).changes;
    });
  }
}
