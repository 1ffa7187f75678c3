import type Database from 'better-sqlite3';

/** SQL built from data (a search with any number of terms) could vary without end: past this many texts, none is kept. */
const MAX_CACHED = 1000;

/**
 * Makes `db.prepare` compile each SQL text once per connection and hand back the same statement after
 * that. The store prepares its statements where it uses them, and compiling them again for every job was
 * a tenth of a whole offline run's CPU. A statement still being iterated is busy, so a second use of its
 * SQL meanwhile gets a fresh one.
 */
export function prepareOnce(db: Database.Database): void {
  const compile = db.prepare.bind(db);
  const compiled = new Map<string, Database.Statement>();
  db.prepare = ((sql: string) => {
    const cached = compiled.get(sql);
    if (cached && !cached.busy) return cached;
    const stmt = compile(sql);
    if (!cached && compiled.size < MAX_CACHED) compiled.set(sql, stmt);
    return stmt;
  }) as typeof db.prepare;
}
