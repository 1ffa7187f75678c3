import { z } from 'zod';
import { Article } from '../../schemas/index.ts';
import { type Connection, now } from './connection.ts';
import type { IncidentStore } from './incidents.ts';
import { count, fromColumns, reader } from './rows.ts';

const articles = reader('articles', fromColumns(Article));
const ids = reader('articles', z.object({ id: z.string() }));
const sources = reader('articles', fromColumns(Article.pick({ origin: true, contentHash: true })));
const hashes = reader('articles', fromColumns(Article.pick({ id: true, contentHash: true })));

export const IngestProblem = z.object({ origin: z.string(), reason: z.string() });
export type IngestProblem = z.infer<typeof IngestProblem>;
const problems = reader('ingest_problems', IngestProblem);

/** Articles, and the inputs that could not become articles (skipped files and lines). */
export class ArticleStore {
  constructor(
    private readonly c: Connection,
    private readonly incidents: IncidentStore,
  ) {}

  /**
   * Inserts new articles. An id already stored with the same content is left as it is, so re-ingesting
   * is harmless; an id whose text changed is updated (`updated`), and the jobs keyed by its content
   * hash then run again for it.
   */
  insert(list: Article[]): { inserted: number; existing: number; duplicates: number; updated: number } {
    const db = this.c.db;
    const insert = db.prepare(`INSERT OR IGNORE INTO articles
      (id, url, headline, source, published, text, content_hash, origin, duplicate_of, ingested_at)
      VALUES (@id, @url, @headline, @source, @published, @text, @contentHash, @origin, @duplicateOf, @at)`);
    const byHash = db.prepare(
      'SELECT id FROM articles WHERE content_hash = ? AND duplicate_of IS NULL AND id != ? ORDER BY ingested_at, id LIMIT 1',
    );
    const stored = db.prepare('SELECT id, content_hash FROM articles WHERE id = ?');
    const update = db.prepare(`UPDATE articles SET url = @url, headline = @headline, source = @source, published = @published,
      text = @text, content_hash = @contentHash, origin = @origin, duplicate_of = @duplicateOf, ingested_at = @at WHERE id = @id`);
    // Copies of the old text are copies no longer: they become originals again (the first one) or its copies.
    const copies = db.prepare('SELECT id, content_hash FROM articles WHERE duplicate_of = ? ORDER BY ingested_at, id');
    const setDup = db.prepare('UPDATE articles SET duplicate_of = ? WHERE id = ?');
    let inserted = 0,
      existing = 0,
      duplicates = 0,
      updated = 0;
    this.c.tx(() => {
      const at = now();
      for (const a of list) {
        const original = ids.maybe(byHash.get(a.contentHash, a.id));
        const duplicateOf = a.duplicateOf ?? original?.id ?? null;
        const old = hashes.maybe(stored.get(a.id));
        if (old && old.contentHash !== a.contentHash) {
          update.run({ ...a, duplicateOf, at });
          // Now a copy of another article: the original speaks for it, in whatever incident that is in.
          if (duplicateOf) this.incidents.removeArticle(a.id);
          const released = new Map<string, string>();
          for (const c of hashes.all(copies.all(a.id))) {
            const first = released.get(c.contentHash);
            setDup.run(first ?? null, c.id);
            if (!first) released.set(c.contentHash, c.id);
          }
          updated++;
          continue;
        }
        const r = insert.run({ ...a, duplicateOf, at });
        if (r.changes === 0) existing++;
        else if (duplicateOf) {
          inserted++;
          duplicates++;
        } else inserted++;
      }
    });
    return { inserted, existing, duplicates, updated };
  }

  /** `list` one at a time, so a stage can read the whole corpus without holding it. */
  *stream(): Generator<Article> {
    for (const r of this.c.db
      .prepare('SELECT * FROM articles WHERE duplicate_of IS NULL ORDER BY published IS NULL, published, id')
      .iterate())
      yield articles.one(r);
  }

  /** Id and content hash of `list`, without the texts: what stages plan their jobs from. */
  hashes(opts: { includeDuplicates?: boolean } = {}): Map<string, string> {
    const where = opts.includeDuplicates ? '' : 'WHERE duplicate_of IS NULL';
    return new Map(
      hashes
        .all(this.c.db.prepare(`SELECT id, content_hash FROM articles ${where} ORDER BY published IS NULL, published, id`).all())
        .map((r) => [r.id, r.contentHash]),
    );
  }

  /** Where a stored article came from and what it holds, without its text: ingest checks ids against it. */
  source(id: string): { origin: string; contentHash: string } | undefined {
    return sources.maybe(this.c.db.prepare('SELECT origin, content_hash FROM articles WHERE id = ?').get(id));
  }

  get(id: string): Article | undefined {
    return articles.maybe(this.c.db.prepare('SELECT * FROM articles WHERE id = ?').get(id));
  }

  /** Articles that are not duplicates of another, in a stable order (date, then id). */
  list(opts: { includeDuplicates?: boolean } = {}): Article[] {
    const where = opts.includeDuplicates ? '' : 'WHERE duplicate_of IS NULL';
    return articles.all(this.c.db.prepare(`SELECT * FROM articles ${where} ORDER BY published IS NULL, published, id`).all());
  }

  /** The stored ones of these articles, in the order given. */
  byIds(list: readonly string[]): Article[] {
    const get = this.c.db.prepare('SELECT * FROM articles WHERE id = ?');
    return list.flatMap((id) => articles.maybe(get.get(id)) ?? []);
  }

  /** The original (not itself a duplicate) article with this content hash, from any source. */
  withContentHash(hash: string): string | undefined {
    return ids.maybe(
      this.c.db
        .prepare('SELECT id FROM articles WHERE content_hash = ? AND duplicate_of IS NULL ORDER BY ingested_at, id LIMIT 1')
        .get(hash),
    )?.id;
  }

  recordProblem(origin: string, reason: string, runId: string | null = null): void {
    this.c.db.prepare('INSERT INTO ingest_problems (origin, reason, run_id, at) VALUES (?, ?, ?, ?)').run(origin, reason, runId, now());
  }

  problems(runId?: string): IngestProblem[] {
    const rows = runId
      ? this.c.db.prepare('SELECT origin, reason FROM ingest_problems WHERE run_id = ? ORDER BY id').all(runId)
      : this.c.db.prepare('SELECT origin, reason FROM ingest_problems ORDER BY id').all();
    return problems.all(rows);
  }

  counts(): { articles: number; duplicates: number; problems: number } {
    const one = (sql: string) => count(this.c.db.prepare(sql).get());
    return {
      articles: one('SELECT COUNT(*) n FROM articles WHERE duplicate_of IS NULL'),
      duplicates: one('SELECT COUNT(*) n FROM articles WHERE duplicate_of IS NOT NULL'),
      problems: one('SELECT COUNT(*) n FROM ingest_problems'),
    };
  }
}
