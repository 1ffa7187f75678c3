import { z } from 'zod';
import { BatchItem, BatchRecord, type BatchResult, FINISHED_BATCH } from '../../schemas/index.ts';
import type { BatchLedger, BatchUpdate } from '../backends/backend.ts';
import { type Connection, now } from './connection.ts';
import { fromColumns, reader, sqlBool } from './rows.ts';

const batches = reader('batches', fromColumns(BatchRecord.extend({ collected: sqlBool })));
const items = reader('batch_items', fromColumns(BatchItem));
const tally = reader(
  'batches',
  z.object({
    status: z.string(),
    batches: z.number().int(),
    requests: z.number().int(),
    completed: z.number().int(),
    failed: z.number().int(),
  }),
);

/** What `status` shows of the batches: totals per status, and each batch not yet collected. */
export interface BatchProgress {
  byStatus: Record<string, { batches: number; requests: number; completed: number; failed: number }>;
  open: BatchRecord[];
}

/**
 * Batches sent through a provider's Batch API and the requests in each. A request is recorded with its
 * batch's input file before the batch is created, and its answer as soon as the batch's files are read,
 * so a run killed anywhere between upload and answer finds its requests again instead of paying twice.
 */
export class BatchStore implements BatchLedger {
  constructor(private readonly c: Connection) {}

  recordUpload(u: { inputFileId: string; stage: string; model: string; runId: string | null; customIds: readonly string[] }): BatchRecord {
    return this.c.tx(() => {
      const at = now();
      const row = batches.one(
        this.c.db
          .prepare(`INSERT INTO batches (input_file_id, stage, model, run_id, status, requests, created_at, updated_at)
        VALUES (?, ?, ?, ?, 'uploaded', ?, ?, ?) RETURNING *`)
          .get(u.inputFileId, u.stage, u.model, u.runId, u.customIds.length, at, at),
      );
      const ins = this.c.db.prepare("INSERT INTO batch_items (batch, custom_id, state) VALUES (?, ?, 'submitted')");
      for (const id of u.customIds) ins.run(row.id, id);
      return row;
    });
  }

  recordStatus(id: number, s: BatchUpdate): BatchRecord {
    return batches.one(
      this.c.db
        .prepare(`UPDATE batches SET provider_id = COALESCE(?, provider_id), status = ?, completed = ?, failed = ?,
      output_file_id = ?, error_file_id = ?, error = ?, updated_at = ? WHERE id = ? RETURNING *`)
        .get(s.providerId, s.status, s.completed, s.failed, s.outputFileId, s.errorFileId, s.error, now(), id),
    );
  }

  /** A finished batch's lines: each request answered or errored; a request with no line is lost. */
  recordResults(id: number, results: readonly BatchResult[]): void {
    this.c.tx(() => {
      const set = this.c.db.prepare(
        "UPDATE batch_items SET state = ?, status_code = ?, body = ? WHERE batch = ? AND custom_id = ? AND state = 'submitted'",
      );
      for (const r of results) set.run(r.state, r.statusCode, r.body, id, r.customId);
      this.c.db.prepare("UPDATE batch_items SET state = 'lost' WHERE batch = ? AND state = 'submitted'").run(id);
      this.c.db.prepare('UPDATE batches SET collected = 1, updated_at = ? WHERE id = ?').run(now(), id);
    });
  }

  /** Each request's latest item not yet delivered, if any: what a resumed run can wait for or take. */
  lookup(customIds: readonly string[]): Map<string, BatchItem> {
    const q = this.c.db.prepare("SELECT * FROM batch_items WHERE custom_id = ? AND state != 'delivered' ORDER BY batch DESC LIMIT 1");
    const out = new Map<string, BatchItem>();
    for (const id of customIds) {
      const row = items.maybe(q.get(id));
      if (row) out.set(id, row);
    }
    return out;
  }

  batch(id: number): BatchRecord {
    const row = batches.maybe(this.c.db.prepare('SELECT * FROM batches WHERE id = ?').get(id));
    if (!row) throw new Error(`store: no batch ${id}`);
    return row;
  }

  items(batch: number): BatchItem[] {
    return items.all(this.c.db.prepare('SELECT * FROM batch_items WHERE batch = ? ORDER BY custom_id').all(batch));
  }

  deliver(batch: number, customId: string): void {
    this.c.db.prepare("UPDATE batch_items SET state = 'delivered' WHERE batch = ? AND custom_id = ?").run(batch, customId);
  }

  list(): BatchRecord[] {
    return batches.all(this.c.db.prepare('SELECT * FROM batches ORDER BY id').all());
  }

  progress(): BatchProgress {
    const byStatus: BatchProgress['byStatus'] = {};
    for (const r of tally.all(
      this.c.db
        .prepare(`SELECT status, COUNT(*) batches, SUM(requests) requests, SUM(completed) completed, SUM(failed) failed
      FROM batches GROUP BY status ORDER BY status`)
        .all(),
    ))
      byStatus[r.status] = { batches: r.batches, requests: r.requests, completed: r.completed, failed: r.failed };
    const finished = FINISHED_BATCH.map(() => '?').join(', ');
    const open = batches.all(
      this.c.db.prepare(`SELECT * FROM batches WHERE status NOT IN (${finished}) OR collected = 0 ORDER BY id`).all(...FINISHED_BATCH),
    );
    return { byStatus, open };
  }
}
