import { z } from 'zod';
import type { Incident } from '../../schemas/index.ts';
import type { Connection } from './connection.ts';
import type { JobStore } from './jobs.ts';
import { count, fromColumns, reader } from './rows.ts';

const Membership = z.object({ incidentId: z.string(), articleId: z.string() });
const memberships = reader('incident_articles', fromColumns(Membership));
/** A membership with its article's date, which orders an incident's articles. */
const dated = reader('incident_articles', fromColumns(Membership.extend({ published: z.string().nullable() })));
const ids = reader('incidents', z.object({ id: z.string() }));

/** Incidents and which articles report each (what grouping decides). An article is in one incident at most. */
export class IncidentStore {
  constructor(
    private readonly c: Connection,
    private readonly jobs: JobStore,
  ) {}

  /** Article id → its incident id. */
  membership(): Map<string, string> {
    const rows = memberships.all(this.c.db.prepare('SELECT article_id, incident_id FROM incident_articles').all());
    return new Map(rows.map((r) => [r.articleId, r.incidentId]));
  }

  /** Puts an article in an incident, creating the incident when it is new. */
  addArticle(incidentId: string, articleId: string, similarity: number | null, runId: string): void {
    this.c.tx(() => {
      this.c.db.prepare('INSERT OR IGNORE INTO incidents (id, created_run) VALUES (?, ?)').run(incidentId, runId);
      this.c.db
        .prepare('INSERT INTO incident_articles (incident_id, article_id, similarity) VALUES (?, ?, ?)')
        .run(incidentId, articleId, similarity);
    });
  }

  /** Folds `drop` into `keep`: its articles move over, its records go (they are stale now). */
  merge(keep: string, drop: string): void {
    this.c.tx(() => {
      this.c.db.prepare('UPDATE incident_articles SET incident_id = ? WHERE incident_id = ?').run(keep, drop);
      this.c.db.prepare('DELETE FROM incidents WHERE id = ?').run(drop);
      this.jobs.forget(['extract', 'classify'], drop);
    });
  }

  /**
   * Takes an article out of its incident (it is no longer a failure report). An incident left empty
   * goes with its records and jobs; one that keeps articles is re-extracted, since its inputs changed.
   */
  removeArticle(articleId: string): void {
    this.c.tx(() => {
      const row = memberships.maybe(
        this.c.db.prepare('SELECT article_id, incident_id FROM incident_articles WHERE article_id = ?').get(articleId),
      );
      this.jobs.forget(['group'], articleId);
      if (!row) return;
      this.c.db.prepare('DELETE FROM incident_articles WHERE article_id = ?').run(articleId);
      if (count(this.c.db.prepare('SELECT COUNT(*) n FROM incident_articles WHERE incident_id = ?').get(row.incidentId)) > 0) return;
      this.c.db.prepare('DELETE FROM incidents WHERE id = ?').run(row.incidentId);
      this.jobs.forget(['extract', 'classify'], row.incidentId);
    });
  }

  /**
   * Takes every article out of its incident, to be grouped anew. The incidents stay, with their records,
   * until dropEmpty: one that regrouping fills again (an incident's id comes from its first article) keeps
   * them, and its extract and classify jobs are redone only if its articles changed.
   */
  ungroupAll(): number {
    return this.c.tx(() => {
      const members = [...this.membership().keys()];
      this.c.db.prepare('DELETE FROM incident_articles').run();
      for (const id of members) this.jobs.forget(['group'], id);
      return members.length;
    });
  }

  /** Incidents left without articles (after regrouping) go, with their records and jobs. */
  dropEmpty(): number {
    return this.c.tx(() => {
      const empty = ids
        .all(this.c.db.prepare('SELECT id FROM incidents WHERE id NOT IN (SELECT incident_id FROM incident_articles)').all())
        .map((r) => r.id);
      const del = this.c.db.prepare('DELETE FROM incidents WHERE id = ?');
      for (const id of empty) {
        del.run(id);
        this.jobs.forget(['extract', 'classify'], id);
      }
      return empty.length;
    });
  }

  get(id: string): Incident | undefined {
    return this.list(id)[0];
  }

  /** Incidents with their articles in date order, earliest incident first. */
  list(only?: string): Incident[] {
    const where = only ? 'WHERE ia.incident_id = ?' : '';
    const stmt = this.c.db.prepare(`SELECT ia.incident_id, ia.article_id, a.published FROM incident_articles ia
      JOIN articles a ON a.id = ia.article_id ${where} ORDER BY ia.incident_id, a.published IS NULL, a.published, a.id`);
    const byId = new Map<string, Incident>();
    for (const r of dated.all(only ? stmt.all(only) : stmt.all())) {
      const inc = byId.get(r.incidentId) ?? { id: r.incidentId, articleIds: [], published: null };
      inc.articleIds.push(r.articleId);
      if (r.published && (!inc.published || r.published < inc.published)) inc.published = r.published;
      byId.set(r.incidentId, inc);
    }
    return [...byId.values()].sort((a, b) => (a.published ?? '9').localeCompare(b.published ?? '9') || a.id.localeCompare(b.id));
  }

  /** Incidents whose postmortem title or summary, or an article's headline or text, holds every term (ASCII case folded). */
  search(terms: readonly string[]): string[] {
    const one = `(EXISTS (SELECT 1 FROM postmortems p WHERE p.incident_id = i.id AND (instr(lower(p.title), ?) > 0 OR instr(lower(p.summary), ?) > 0))
      OR EXISTS (SELECT 1 FROM incident_articles ia JOIN articles a ON a.id = ia.article_id WHERE ia.incident_id = i.id
        AND (instr(lower(a.headline), ?) > 0 OR instr(lower(a.text), ?) > 0)))`;
    const where = terms.length ? `WHERE ${terms.map(() => one).join(' AND ')}` : '';
    const args = terms.flatMap((t) => Array(4).fill(t.toLowerCase()));
    return ids.all(this.c.db.prepare(`SELECT i.id FROM incidents i ${where} ORDER BY i.id`).all(...args)).map((r) => r.id);
  }

  count(): number {
    return count(this.c.db.prepare('SELECT COUNT(*) n FROM incidents').get());
  }
}
