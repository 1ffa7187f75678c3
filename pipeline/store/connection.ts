import Database from 'better-sqlite3';
import { accessSync, constants, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { MIGRATIONS } from './migrations.ts';
import { reader } from './rows.ts';
import { prepareOnce } from './statements.ts';

export const now = () => new Date().toISOString();

/** The file, or else its folder, that cannot be written (a read-only mount, a file without write permission). */
function readOnly(path: string): string | null {
  for (const p of [path, dirname(path)])
    try {
      accessSync(p, constants.W_OK);
    } catch (e) {
      if ((e as { code?: string }).code !== 'ENOENT') return p === path ? 'the file' : `its folder ${p}`;
    }
  return null;
}

const versions = reader('schema_migrations', z.object({ version: z.number().int() }));
const highest = reader('schema_migrations', z.object({ v: z.number().int().nullable() }));

/**
 * The one SQLite connection the store's modules share (WAL, foreign keys on), migrated on open.
 * Only modules of pipeline/store hold it: everything else goes through their methods.
 */
export class Connection {
  readonly db: Database.Database;

  constructor(
    readonly path: string,
    opts: { busyTimeoutMs: number },
  ) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    // The busy timeout comes first: switching a new file to WAL takes a lock another process may hold.
    this.db = new Database(path, { timeout: opts.busyTimeoutMs });
    try {
      prepareOnce(this.db);
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('foreign_keys = ON');
      this.db.pragma('synchronous = NORMAL');
      this.migrate();
    } catch (e) {
      this.db.close();
      // SQLite's "file is not a database" names no file: --db pointed at an articles file, say, which is left untouched.
      const code = (e as { code?: string }).code;
      const locked = code === 'SQLITE_NOTADB' ? null : readOnly(path);
      throw new Error(
        code === 'SQLITE_NOTADB'
          ? `${path}: not a failscope database (not SQLite at all); --db names the database file, and input files go after the command`
          : locked
            ? `${path}: cannot open the database: ${locked} is read-only, and failscope writes to its database and to a -wal file beside it, even to read it; copy it to a folder you can write to`
            : `${path}: cannot open the database: ${(e as Error).message}`,
      );
    }
  }

  close(): void {
    this.db.close();
  }

  /**
   * Runs `fn` in one transaction (nested calls join the outer one): a kill leaves all of it or none.
   * IMMEDIATE takes the write lock at the start, waiting for another process's: a transaction that read
   * first and wrote later could not get it once another process had written, and fails at once with
   * `database is locked` whatever the busy timeout.
   */
  tx<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  schemaVersion(): number {
    return highest.one(this.db.prepare('SELECT MAX(version) v FROM schema_migrations').get()).v ?? 0;
  }

  /** Versions of the migrations applied to this database, ascending. */
  appliedMigrations(): number[] {
    return versions.all(this.db.prepare('SELECT version FROM schema_migrations ORDER BY version').all()).map((r) => r.version);
  }

  private migrate(): void {
    this.db.exec(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)',
    );
    // Every migration not yet applied, not only those above the highest: features land in parallel, so a
    // database may already hold a later number than one merged after it.
    const applied = new Set(this.appliedMigrations());
    for (const m of MIGRATIONS.filter((m) => !applied.has(m.version)).sort((a, b) => a.version - b.version)) {
      this.tx(() => {
        // Processes opening a new database together: the first applies it, the others find it applied.
        if (this.db.prepare('SELECT 1 FROM schema_migrations WHERE version = ?').get(m.version)) return;
        this.db.exec(m.sql);
        this.db.prepare('INSERT INTO schema_migrations VALUES (?, ?, ?)').run(m.version, m.name, now());
      });
    }
  }
}
