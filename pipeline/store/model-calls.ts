import { z } from 'zod';
import { CachedCall, type QuoteCheck, type Usage } from '../../schemas/index.ts';
import type { QuoteCheckRecorder, ResponseCache, UsageRecorder } from '../backends/backend.ts';
import { type Connection, now } from './connection.ts';
import { fromColumns, reader, sum } from './rows.ts';

export const UsageTotals = z.object({
  key: z.string().nullable(),
  calls: z.number().int(),
  sent: sum,
  fromCache: sum,
  promptTokens: sum,
  completionTokens: sum,
  cachedTokens: sum,
  cost: sum,
});
export type UsageTotals = z.infer<typeof UsageTotals>;

export const QuoteCheckTotals = z.object({
  runId: z.string().nullable(),
  checks: z.number().int(),
  proposed: z.number().int(),
  unplaced: z.number().int(),
  reasks: z.number().int(),
  dropped: z.number().int(),
  unsupported: z.number().int(),
});
export type QuoteCheckTotals = z.infer<typeof QuoteCheckTotals>;

const cached = reader('model_calls', fromColumns(CachedCall));
const usage = reader('usage', UsageTotals);
const quoteChecks = reader('quote_checks', fromColumns(QuoteCheckTotals));

/** What model backends keep: the response cache, token usage and cost, and how many quotes had to be dropped. */
export class ModelCallStore implements ResponseCache, UsageRecorder, QuoteCheckRecorder {
  constructor(private readonly c: Connection) {}

  get(hash: string): CachedCall | undefined {
    return cached.maybe(this.c.db.prepare('SELECT * FROM model_calls WHERE hash = ?').get(hash));
  }

  put(call: CachedCall & { request: string }): void {
    this.c.db
      .prepare(`INSERT OR REPLACE INTO model_calls (hash, model, request, response, prompt_tokens, completion_tokens, cached_tokens, created_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
      .run(call.hash, call.model, call.request, call.response, call.promptTokens, call.completionTokens, call.cachedTokens, now());
  }

  recordUsage(u: Usage): void {
    this.c.db
      .prepare(`INSERT INTO usage (run_id, call_hash, stage, subject, model, from_cache, prompt_tokens, completion_tokens, cached_tokens, cost, at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
      .run(
        u.runId,
        u.callHash,
        u.stage,
        u.subject,
        u.model,
        u.fromCache ? 1 : 0,
        u.promptTokens,
        u.completionTokens,
        u.cachedTokens,
        u.cost,
        now(),
      );
  }

  /** Usage totals grouped by run, stage or subject (incident/article), or overall. */
  usage(by?: 'run_id' | 'stage' | 'subject', runId?: string): UsageTotals[] {
    const key = by ?? 'NULL';
    const where = runId ? 'WHERE run_id = ?' : '';
    const sql = `SELECT ${key} AS key, COUNT(*) calls, SUM(1 - from_cache) sent, SUM(from_cache) fromCache,
      SUM(prompt_tokens) promptTokens, SUM(completion_tokens) completionTokens, SUM(cached_tokens) cachedTokens, SUM(cost) cost
      FROM usage ${where} GROUP BY ${key} ORDER BY ${key}`;
    return usage.all(runId ? this.c.db.prepare(sql).all(runId) : this.c.db.prepare(sql).all()).filter((r) => r.calls > 0);
  }

  recordQuoteCheck(q: QuoteCheck): void {
    this.c.db
      .prepare(`INSERT INTO quote_checks (run_id, stage, subject, proposed, unplaced, reasked, dropped, unsupported, at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`)
      .run(q.runId, q.stage, q.subject, q.proposed, q.unplaced, q.reasked ? 1 : 0, q.dropped, q.unsupported, now());
  }

  /** Totals per run (or for one run): quotes given, not found at first, re-asks, quotes dropped, items left unsupported. */
  quoteChecks(runId?: string): QuoteCheckTotals[] {
    const where = runId ? 'WHERE run_id = ?' : '';
    const sql = `SELECT run_id, COUNT(*) checks, SUM(proposed) proposed, SUM(unplaced) unplaced, SUM(reasked) reasks, SUM(dropped) dropped,
      SUM(unsupported) unsupported FROM quote_checks ${where} GROUP BY run_id ORDER BY MIN(at)`;
    return quoteChecks.all(runId ? this.c.db.prepare(sql).all(runId) : this.c.db.prepare(sql).all());
  }
}
