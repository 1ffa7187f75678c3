import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { prepareOnce } from '../pipeline/store/statements.ts';

// The store's own connection is private: the mechanism is checked on a connection of the test's own.
let db: Database.Database;
beforeEach(() => {
  db = new Database(':memory:');
  prepareOnce(db);
  db.exec('CREATE TABLE articles (id TEXT PRIMARY KEY); CREATE TABLE runs (id TEXT, started_at TEXT, settings TEXT, status TEXT)');
});
afterEach(() => db.close());

describe('prepared statements', () => {
  it('compiles each SQL text once per connection', () => {
    const sql = 'SELECT id FROM articles WHERE id = ?';
    expect(db.prepare(sql)).toBe(db.prepare(sql));
    expect(db.prepare(sql)).not.toBe(db.prepare('SELECT id FROM articles WHERE id = ? LIMIT 1'));
  });

  it('gives a fresh statement while the cached one is being iterated', () => {
    db.exec("INSERT INTO runs (id, started_at, settings, status) VALUES ('r1', 'x', '{}', 'done'), ('r2', 'y', '{}', 'done')");
    const sql = 'SELECT id FROM runs ORDER BY id';
    const outer: string[] = [];
    for (const r of db.prepare(sql).iterate() as IterableIterator<{ id: string }>) {
      outer.push(r.id);
      expect((db.prepare(sql).all() as { id: string }[]).map((x) => x.id)).toEqual(['r1', 'r2']);
    }
    expect(outer).toEqual(['r1', 'r2']);
  });
});
