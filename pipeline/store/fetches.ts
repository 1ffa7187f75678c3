import { z } from 'zod';
import { type Article, type FetchKind, FetchRecord, FetchState } from '../../schemas/index.ts';
import type { ArticleStore } from './articles.ts';
import { type Connection, now } from './connection.ts';
import { columnOf, count, fromColumns, reader, sqlBool } from './rows.ts';

/** A URL to queue. One refused before any request (invalid, bad scheme) is recorded failed at once. */
export type NewFetch = Pick<FetchRecord, 'url' | 'requestedUrl' | 'kind' | 'source'> &
  Partial<Pick<FetchRecord, 'title' | 'published' | 'reason' | 'detail'>> & { state?: 'pending' | 'failed' };

/** What a fetch learned; only the fields given are written. */
export type FetchOutcome = Partial<Pick<FetchRecord, Exclude<(typeof OUTCOME_FIELDS)[number], 'minhash'>>> & { minhash?: Buffer };

/** The fields a fetch's outcome may set, each stored in its snake_case column. */
const OUTCOME_FIELDS = [
  'kind',
  'state',
  'reason',
  'detail',
  'httpStatus',
  'finalUrl',
  'canonicalUrl',
  'etag',
  'lastModified',
  'rawHash',
  'contentHash',
  'articleId',
  'duplicateOf',
  'byline',
  'opinion',
  'words',
  'items',
  'minhash',
] as const;

export interface CollectCounts {
  pages: Record<FetchState, number>;
  feeds: Record<FetchState, number>;
  failedByReason: Record<string, number>;
  duplicateByReason: Record<string, number>;
  opinion: number;
}

const fetches = reader('fetches', fromColumns(FetchRecord.extend({ opinion: sqlBool })));
const originals = reader('fetches', z.object({ a: z.string() }));
const signatures = reader('fetches', z.object({ articleId: z.string(), minhash: z.instanceof(Buffer) }));
const byState = reader('fetches', z.object({ state: FetchState, n: z.number().int() }));
const byReason = reader('fetches', z.object({ r: z.string().nullable(), n: z.number().int() }));

/**
 * The web-collect queue: one row per URL. A row leaves `pending` only together with everything its
 * fetch produced (the article, the feed's items), in one transaction, so a killed collect re-fetches
 * nothing recorded.
 */
export class FetchStore {
  constructor(
    private readonly c: Connection,
    private readonly articles: ArticleStore,
  ) {}

  /** Queues URLs; one already known (by canonical URL) is left as it is. Returns how many were new. */
  enqueue(rows: NewFetch[]): number {
    const ins =
      this.c.db.prepare(`INSERT OR IGNORE INTO fetches (url, requested_url, kind, source, state, reason, detail, title, published, created_at, updated_at)
      VALUES (@url, @requestedUrl, @kind, @source, @state, @reason, @detail, @title, @published, @at, @at)`);
    return this.c.tx(() => {
      const at = now();
      let n = 0;
      for (const r of rows) {
        n += ins.run({ state: 'pending', reason: null, detail: null, title: null, published: null, ...r, at }).changes;
      }
      return n;
    });
  }

  /** Jobs still to do: feeds first (they add pages), then pages, each in the order queued. */
  pending(): FetchRecord[] {
    return fetches.all(this.c.db.prepare("SELECT * FROM fetches WHERE state = 'pending' ORDER BY kind = 'page', id").all());
  }

  get(idOrUrl: number | string): FetchRecord | undefined {
    return fetches.maybe(this.c.db.prepare(`SELECT * FROM fetches WHERE ${typeof idOrUrl === 'number' ? 'id' : 'url'} = ?`).get(idOrUrl));
  }

  list(state?: FetchState): FetchRecord[] {
    return fetches.all(
      state
        ? this.c.db.prepare('SELECT * FROM fetches WHERE state = ? ORDER BY id').all(state)
        : this.c.db.prepare('SELECT * FROM fetches ORDER BY id').all(),
    );
  }

  /** Counts an attempt before the request goes out, so status shows URLs that keep failing. */
  noteAttempt(id: number): void {
    this.c.db.prepare('UPDATE fetches SET attempts = attempts + 1, updated_at = ? WHERE id = ?').run(now(), id);
  }

  /** Another page already stored under one of these (final or canonical) URLs: its original article. */
  storedPageAt(urls: string[], exceptId: number): string | undefined {
    const q = this.c.db.prepare(`SELECT COALESCE(duplicate_of, article_id) a FROM fetches WHERE id != ? AND kind = 'page'
      AND COALESCE(duplicate_of, article_id) IS NOT NULL AND (final_url = ? OR canonical_url = ?) ORDER BY id LIMIT 1`);
    for (const u of urls) {
      const r = originals.maybe(q.get(exceptId, u, u));
      if (r) return r.a;
    }
    return undefined;
  }

  /** MinHash signatures of collected originals, for near-duplicate lookup. */
  pageSignatures(): { articleId: string; minhash: Buffer }[] {
    return signatures.all(
      this.c.db
        .prepare(
          "SELECT article_id articleId, minhash FROM fetches WHERE state = 'fetched' AND article_id IS NOT NULL AND minhash IS NOT NULL ORDER BY id",
        )
        .all(),
    );
  }

  /**
   * Ends a fetch job: its article (if any), its row and any URLs it found (feed items), in one transaction.
   * Returns how many of those URLs were new.
   */
  finish(id: number, outcome: FetchOutcome, extra: { article?: Article; enqueue?: NewFetch[] } = {}): number {
    const fields = OUTCOME_FIELDS.filter((k) => outcome[k] !== undefined);
    const values = fields.map((k) => (k === 'opinion' ? (outcome.opinion ? 1 : 0) : outcome[k]));
    return this.c.tx(() => {
      if (extra.article) this.articles.insert([extra.article]);
      const at = now();
      this.c.db
        .prepare(`UPDATE fetches SET ${fields.map((k) => `${columnOf(k)} = ?`).join(', ')}, fetched_at = ?, updated_at = ? WHERE id = ?`)
        .run(...values, at, at, id);
      return extra.enqueue?.length ? this.enqueue(extra.enqueue) : 0;
    });
  }

  /** Makes finished jobs pending again: failed ones (--retry-failed), fetched feeds (--refresh, conditional GET). */
  requeue(which: { failed?: boolean; feeds?: boolean }): number {
    const where = [which.failed ? "state = 'failed'" : null, which.feeds ? "(state = 'fetched' AND kind = 'feed')" : null].filter(Boolean);
    if (!where.length) return 0;
    return this.c.db.prepare(`UPDATE fetches SET state = 'pending', updated_at = ? WHERE ${where.join(' OR ')}`).run(now()).changes;
  }

  /** For `status`: pages and feeds by state, and failures and duplicates by reason (HTTP errors by status). */
  counts(): CollectCounts {
    const states = (kind: FetchKind) => {
      const out: Record<FetchState, number> = { pending: 0, fetched: 0, failed: 0, duplicate: 0 };
      for (const r of byState.all(this.c.db.prepare('SELECT state, COUNT(*) n FROM fetches WHERE kind = ? GROUP BY state').all(kind)))
        out[r.state] = r.n;
      return out;
    };
    const reasons = (state: FetchState) =>
      Object.fromEntries(
        byReason
          .all(
            this.c.db
              .prepare(`SELECT CASE WHEN reason = 'http-error' AND http_status IS NOT NULL
      THEN 'http-' || http_status ELSE reason END r, COUNT(*) n FROM fetches WHERE state = ? GROUP BY r ORDER BY n DESC, r`)
              .all(state),
          )
          .map((r) => [String(r.r), r.n]),
      );
    const opinion = count(
      this.c.db.prepare("SELECT COUNT(*) n FROM fetches WHERE state = 'fetched' AND kind = 'page' AND opinion = 1").get(),
    );
    return {
      pages: states('page'),
      feeds: states('feed'),
      failedByReason: reasons('failed'),
      duplicateByReason: reasons('duplicate'),
      opinion,
    };
  }
}
