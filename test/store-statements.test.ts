import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempStore } from './fixtures.ts';

let t: ReturnType<typeof tempStore>;
beforeEach(() => { t = tempStore(); });
afterEach(() => t.cleanup());

describe('prepared statements', () => {
  it('compiles each SQL text once per connection', () => {
    const sql = 'SELECT id FROM articles WHERE id = ?';
    expect(t.store.db.prepare(sql)).toBe(t.store.db.prepare(sql));
    expect(t.store.db.prepare(sql)).not.toBe(t.store.db.prepare('SELECT id FROM articles WHERE id = ? LIMIT 1'));
  });

  it('gives a fresh statement while the cached one is being iterated', () => {
    t.store.db.exec("INSERT INTO runs (id, started_at, settings, status) VALUES ('r1', 'x', '{}', 'done'), ('r2', 'y', '{}', 'done')");
    const sql = 'SELECT id FROM runs ORDER BY id';
    const outer: string[] = [];
    for (const r of t.store.db.prepare(sql).iterate() as IterableIterator<{ id: string }>) {
      outer.push(r.id);
      expect((t.store.db.prepare(sql).all() as { id: string }[]).map((x) => x.id)).toEqual(['r1', 'r2']);
    }
    expect(outer).toEqual(['r1', 'r2']);
  });
});
