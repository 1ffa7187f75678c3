import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { randomUUID } from 'node:crypto';
import { MIGRATIONS } from './migrations.ts';
import type {
  Article, Citation, Fact, Incident, IncidentRecord, JobState, Postmortem, Provenance, Run, RunSettings,
  Screening, Stage, TaxonomyLabel,
} from '../../schemas/index.ts';
import { POSTMORTEM_FIELDS, emptyPostmortem } from '../../schemas/index.ts';

export interface JobRow {
  stage: Stage;
  key: string;
  inputHash: string;
  state: JobState;
  attempts: number;
  error: string | null;
  runId: string | null;
}

export interface CachedCall {
  hash: string;
  model: string;
  response: string;
  promptTokens: number;
  completionTokens: number;
  cachedTokens: number;
}

export interface UsageRow {
  runId: string | null;
  callHash: string;
  stage: string;
  subject: string | null;
  model: string;
  fromCache: boolean;
  promptTokens: number;
  completionTokens: number;
  cachedTokens: number;
  cost: number;
}

export interface UsageTotals {
  calls: number;
  sent: number;
  fromCache: number;
  promptTokens: number;
  completionTokens: number;
  cachedTokens: number;
  cost: number;
}

type Row = Record<string, unknown>;
const now = () => new Date().toISOString();

/** `backend:model`: results of different backends and models live side by side. */
export const producerOf = (p: Pick<Provenance, 'backend' | 'model'>) => `${p.backend}:${p.model}`;

/**
 * The only module that speaks SQL. Every multi-row write runs in one transaction, so a process
 * killed at any point leaves either the whole write or none of it.
 */
export class Store {
  readonly db: Database.Database;

  constructor(readonly path: string) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 5000');
    this.db.pragma('synchronous = NORMAL');
    this.migrate();
  }

  close(): void {
    this.db.close();
  }

  tx<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  schemaVersion(): number {
    return (this.db.prepare('SELECT MAX(version) v FROM schema_migrations').get() as { v: number | null }).v ?? 0;
  }

  private migrate(): void {
    this.db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
    const current = this.schemaVersion();
    for (const m of MIGRATIONS.filter((m) => m.version > current).sort((a, b) => a.version - b.version)) {
      this.tx(() => {
        this.db.exec(m.sql);
        this.db.prepare('INSERT INTO schema_migrations VALUES (?, ?, ?)').run(m.version, m.name, now());
      });
    }
  }

  // ---- articles -------------------------------------------------------------------------------

  /** Inserts new articles; an id already stored is left as it is, so re-ingesting is harmless. */
  insertArticles(articles: Article[]): { inserted: number; existing: number; duplicates: number } {
    const insert = this.db.prepare(`INSERT OR IGNORE INTO articles
      (id, url, headline, source, published, text, content_hash, origin, duplicate_of, ingested_at)
      VALUES (@id, @url, @headline, @source, @published, @text, @contentHash, @origin, @duplicateOf, @at)`);
    const byHash = this.db.prepare('SELECT id FROM articles WHERE content_hash = ? AND duplicate_of IS NULL ORDER BY ingested_at, id LIMIT 1');
    let inserted = 0, existing = 0, duplicates = 0;
    this.tx(() => {
      const at = now();
      for (const a of articles) {
        const original = byHash.get(a.contentHash) as { id: string } | undefined;
        const duplicateOf = a.duplicateOf ?? (original && original.id !== a.id ? original.id : null);
        const r = insert.run({ ...a, duplicateOf, at });
        if (r.changes === 0) existing++;
        else if (duplicateOf) { inserted++; duplicates++; }
        else inserted++;
      }
    });
    return { inserted, existing, duplicates };
  }

  getArticle(id: string): Article | undefined {
    const r = this.db.prepare('SELECT * FROM articles WHERE id = ?').get(id) as Row | undefined;
    return r && toArticle(r);
  }

  /** Articles that are not duplicates of another, in a stable order (date, then id). */
  listArticles(opts: { includeDuplicates?: boolean } = {}): Article[] {
    const where = opts.includeDuplicates ? '' : 'WHERE duplicate_of IS NULL';
    return (this.db.prepare(`SELECT * FROM articles ${where} ORDER BY published IS NULL, published, id`).all() as Row[]).map(toArticle);
  }

  articlesByIds(ids: readonly string[]): Article[] {
    const get = this.db.prepare('SELECT * FROM articles WHERE id = ?');
    return ids.map((id) => get.get(id) as Row | undefined).filter((r): r is Row => !!r).map(toArticle);
  }

  recordProblem(origin: string, reason: string, runId: string | null = null): void {
    this.db.prepare('INSERT INTO ingest_problems (origin, reason, run_id, at) VALUES (?, ?, ?, ?)').run(origin, reason, runId, now());
  }

  problems(runId?: string): { origin: string; reason: string }[] {
    const sql = runId ? 'SELECT origin, reason FROM ingest_problems WHERE run_id = ? ORDER BY id' : 'SELECT origin, reason FROM ingest_problems ORDER BY id';
    return (runId ? this.db.prepare(sql).all(runId) : this.db.prepare(sql).all()) as { origin: string; reason: string }[];
  }

  // ---- runs -----------------------------------------------------------------------------------

  startRun(settings: RunSettings): Run {
    const run: Run = { id: `run-${now().replace(/[-:.TZ]/g, '').slice(0, 14)}-${randomUUID().slice(0, 8)}`, startedAt: now(), finishedAt: null, settings, status: 'running', summary: null };
    this.db.prepare('INSERT INTO runs (id, started_at, settings, status) VALUES (?, ?, ?, ?)').run(run.id, run.startedAt, JSON.stringify(settings), run.status);
    return run;
  }

  finishRun(id: string, status: Run['status'], summary: Record<string, unknown>): void {
    this.db.prepare('UPDATE runs SET finished_at = ?, status = ?, summary = ? WHERE id = ?').run(now(), status, JSON.stringify(summary), id);
  }

  listRuns(): Run[] {
    return (this.db.prepare('SELECT * FROM runs ORDER BY started_at, id').all() as Row[]).map((r) => ({
      id: r.id as string, startedAt: r.started_at as string, finishedAt: (r.finished_at as string) ?? null,
      settings: JSON.parse(r.settings as string), status: r.status as Run['status'],
      summary: r.summary ? JSON.parse(r.summary as string) : null,
    }));
  }

  /** Runs left `running` by a killed process are marked interrupted, and their jobs made pending again. */
  recoverInterrupted(): number {
    return this.tx(() => {
      this.db.prepare("UPDATE jobs SET state = 'pending' WHERE state = 'running'").run();
      return this.db.prepare("UPDATE runs SET status = 'interrupted', finished_at = ? WHERE status = 'running'").run(now()).changes;
    });
  }

  // ---- jobs -----------------------------------------------------------------------------------

  jobs(stage: Stage): Map<string, JobRow> {
    const rows = this.db.prepare('SELECT * FROM jobs WHERE stage = ?').all(stage) as Row[];
    return new Map(rows.map((r) => [r.key as string, toJob(r)]));
  }

  markJob(stage: Stage, key: string, inputHash: string, state: JobState, runId: string, error: string | null = null): void {
    this.db.prepare(`INSERT INTO jobs (stage, key, input_hash, state, attempts, error, run_id, updated_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (stage, key) DO UPDATE SET input_hash = excluded.input_hash, state = excluded.state,
        attempts = jobs.attempts + excluded.attempts, error = excluded.error, run_id = excluded.run_id, updated_at = excluded.updated_at`)
      .run(stage, key, inputHash, state, state === 'running' ? 1 : 0, error, runId, now());
  }

  /** Writes a job's results and marks it done in one transaction: a kill leaves both or neither. */
  completeJob(stage: Stage, key: string, inputHash: string, runId: string, write: () => void): void {
    this.tx(() => {
      write();
      this.markJob(stage, key, inputHash, 'done', runId);
    });
  }

  jobCounts(): Record<string, Record<string, number>> {
    const out: Record<string, Record<string, number>> = {};
    for (const r of this.db.prepare('SELECT stage, state, COUNT(*) n FROM jobs GROUP BY stage, state').all() as Row[]) {
      (out[r.stage as string] ??= {})[r.state as string] = r.n as number;
    }
    return out;
  }

  failedJobs(): JobRow[] {
    return (this.db.prepare("SELECT * FROM jobs WHERE state = 'failed' ORDER BY stage, key").all() as Row[]).map(toJob);
  }

  // ---- screening ------------------------------------------------------------------------------

  saveScreening(articleId: string, s: Screening, provenance: Provenance): void {
    this.db.prepare(`INSERT INTO screenings (article_id, is_failure, analyzable, confidence, rationale, provenance)
      VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (article_id) DO UPDATE SET is_failure = excluded.is_failure,
      analyzable = excluded.analyzable, confidence = excluded.confidence, rationale = excluded.rationale, provenance = excluded.provenance`)
      .run(articleId, s.isFailure ? 1 : 0, s.analyzable ? 1 : 0, s.confidence, s.rationale, JSON.stringify(provenance));
  }

  screenings(): Map<string, Screening & { provenance: Provenance }> {
    const rows = this.db.prepare('SELECT * FROM screenings').all() as Row[];
    return new Map(rows.map((r) => [r.article_id as string, {
      isFailure: r.is_failure === 1, analyzable: r.analyzable === 1, confidence: r.confidence as number,
      rationale: r.rationale as string, provenance: JSON.parse(r.provenance as string),
    }]));
  }

  // ---- incidents ------------------------------------------------------------------------------

  membership(): Map<string, string> {
    const rows = this.db.prepare('SELECT article_id, incident_id FROM incident_articles').all() as Row[];
    return new Map(rows.map((r) => [r.article_id as string, r.incident_id as string]));
  }

  addToIncident(incidentId: string, articleId: string, similarity: number | null, runId: string): void {
    this.db.prepare('INSERT OR IGNORE INTO incidents (id, created_run) VALUES (?, ?)').run(incidentId, runId);
    this.db.prepare('INSERT INTO incident_articles (incident_id, article_id, similarity) VALUES (?, ?, ?)').run(incidentId, articleId, similarity);
  }

  /** Folds `drop` into `keep`: its articles move over, its records go (they are stale now). */
  mergeIncidents(keep: string, drop: string): void {
    this.db.prepare('UPDATE incident_articles SET incident_id = ? WHERE incident_id = ?').run(keep, drop);
    this.db.prepare('DELETE FROM incidents WHERE id = ?').run(drop);
    this.db.prepare("DELETE FROM jobs WHERE stage IN ('extract', 'classify') AND key = ?").run(drop);
  }

  getIncident(id: string): Incident | undefined {
    return this.listIncidents(id)[0];
  }

  listIncidents(only?: string): Incident[] {
    const where = only ? 'WHERE ia.incident_id = ?' : '';
    const stmt = this.db.prepare(`SELECT ia.incident_id, ia.article_id, a.published FROM incident_articles ia
      JOIN articles a ON a.id = ia.article_id ${where} ORDER BY ia.incident_id, a.published IS NULL, a.published, a.id`);
    const rows = (only ? stmt.all(only) : stmt.all()) as Row[];
    const byId = new Map<string, Incident>();
    for (const r of rows) {
      const id = r.incident_id as string;
      const inc = byId.get(id) ?? { id, articleIds: [], published: null };
      inc.articleIds.push(r.article_id as string);
      const p = (r.published as string | null) ?? null;
      if (p && (!inc.published || p < inc.published)) inc.published = p;
      byId.set(id, inc);
    }
    return [...byId.values()].sort((a, b) => (a.published ?? '9').localeCompare(b.published ?? '9') || a.id.localeCompare(b.id));
  }

  // ---- postmortems and labels -----------------------------------------------------------------

  savePostmortem(incidentId: string, pm: Postmortem, provenance: Provenance): void {
    const producer = producerOf(provenance);
    this.db.prepare('DELETE FROM postmortems WHERE incident_id = ? AND producer = ?').run(incidentId, producer);
    this.db.prepare('INSERT INTO postmortems (incident_id, producer, title, summary, provenance, written_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(incidentId, producer, pm.title, pm.summary, JSON.stringify(provenance), now());
    const insFact = this.db.prepare('INSERT INTO facts (incident_id, producer, field, idx, text) VALUES (?, ?, ?, ?, ?)');
    for (const field of POSTMORTEM_FIELDS) {
      pm[field].forEach((fact, idx) => {
        const factId = Number(insFact.run(incidentId, producer, field, idx, fact.text).lastInsertRowid);
        this.insertCitations(fact.citations, { factId });
      });
    }
  }

  saveLabels(incidentId: string, labels: TaxonomyLabel[]): void {
    const ins = this.db.prepare(`INSERT INTO labels (incident_id, producer, dimension, options, rationale, confidence, provenance, written_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (incident_id, producer, dimension) DO UPDATE SET options = excluded.options,
      rationale = excluded.rationale, confidence = excluded.confidence, provenance = excluded.provenance, written_at = excluded.written_at
      RETURNING id`);
    const clear = this.db.prepare('DELETE FROM citations WHERE label_id = ?');
    for (const l of labels) {
      const { id } = ins.get(incidentId, producerOf(l.provenance), l.dimension, JSON.stringify(l.options), l.rationale, l.confidence, JSON.stringify(l.provenance), now()) as { id: number };
      clear.run(id);
      this.insertCitations(l.citations, { labelId: id });
    }
  }

  private insertCitations(citations: Citation[], owner: { factId?: number; labelId?: number }): void {
    const ins = this.db.prepare('INSERT INTO citations (fact_id, label_id, article_id, quote, start, end, alignment) VALUES (?, ?, ?, ?, ?, ?, ?)');
    for (const c of citations) ins.run(owner.factId ?? null, owner.labelId ?? null, c.articleId, c.quote, c.start, c.end, c.alignment);
  }

  /** Producers that have written records, most recent first. */
  producers(): string[] {
    return (this.db.prepare(`SELECT producer, MAX(written_at) w FROM (SELECT producer, written_at FROM postmortems UNION ALL SELECT producer, written_at FROM labels)
      GROUP BY producer ORDER BY w DESC`).all() as Row[]).map((r) => r.producer as string);
  }

  getPostmortem(incidentId: string, producer: string): { postmortem: Postmortem; provenance: Provenance } | null {
    const head = this.db.prepare('SELECT * FROM postmortems WHERE incident_id = ? AND producer = ?').get(incidentId, producer) as Row | undefined;
    if (!head) return null;
    const pm = emptyPostmortem(head.title as string);
    pm.summary = head.summary as string;
    const facts = this.db.prepare('SELECT id, field, text FROM facts WHERE incident_id = ? AND producer = ? ORDER BY field, idx').all(incidentId, producer) as Row[];
    const cites = this.db.prepare('SELECT article_id, quote, start, end, alignment FROM citations WHERE fact_id = ? ORDER BY id');
    for (const f of facts) {
      const fact: Fact = { text: f.text as string, citations: (cites.all(f.id) as Row[]).map(toCitation) };
      pm[f.field as (typeof POSTMORTEM_FIELDS)[number]].push(fact);
    }
    return { postmortem: pm, provenance: JSON.parse(head.provenance as string) };
  }

  getLabels(incidentId: string, producer?: string): TaxonomyLabel[] {
    const rows = (producer
      ? this.db.prepare('SELECT * FROM labels WHERE incident_id = ? AND producer = ? ORDER BY id').all(incidentId, producer)
      : this.db.prepare('SELECT * FROM labels WHERE incident_id = ? ORDER BY id').all(incidentId)) as Row[];
    const cites = this.db.prepare('SELECT article_id, quote, start, end, alignment FROM citations WHERE label_id = ? ORDER BY id');
    return rows.map((r) => ({
      dimension: r.dimension as TaxonomyLabel['dimension'],
      options: JSON.parse(r.options as string),
      rationale: r.rationale as string,
      confidence: r.confidence as number,
      citations: (cites.all(r.id) as Row[]).map(toCitation),
      provenance: JSON.parse(r.provenance as string),
    }));
  }

  /**
   * Finished records. With a producer, that producer's results; without one, each incident's most
   * recently written results.
   */
  records(producer?: string): IncidentRecord[] {
    const latest = this.db.prepare('SELECT producer FROM postmortems WHERE incident_id = ? ORDER BY written_at DESC LIMIT 1');
    return this.listIncidents().map((inc) => {
      const p = producer ?? (latest.get(inc.id) as Row | undefined)?.producer as string | undefined;
      const pm = p ? this.getPostmortem(inc.id, p) : null;
      return {
        ...inc,
        title: pm?.postmortem.title ?? '',
        postmortem: pm?.postmortem ?? null,
        postmortemProvenance: pm?.provenance ?? null,
        labels: p ? this.getLabels(inc.id, p) : [],
      };
    });
  }

  /** Every stored citation with its article's text, for verification. */
  *citationsWithText(): Generator<Citation & { text: string }> {
    const rows = this.db.prepare(`SELECT c.article_id, c.quote, c.start, c.end, c.alignment, a.text FROM citations c
      JOIN articles a ON a.id = c.article_id ORDER BY c.id`).iterate() as IterableIterator<Row>;
    for (const r of rows) yield { ...toCitation(r), text: r.text as string };
  }

  citationCounts(): Record<string, number> {
    const rows = this.db.prepare('SELECT alignment, COUNT(*) n FROM citations GROUP BY alignment').all() as Row[];
    return Object.fromEntries(rows.map((r) => [r.alignment as string, r.n as number]));
  }

  counts(): Record<string, number> {
    const one = (sql: string) => (this.db.prepare(sql).get() as { n: number }).n;
    return {
      articles: one('SELECT COUNT(*) n FROM articles WHERE duplicate_of IS NULL'),
      duplicates: one('SELECT COUNT(*) n FROM articles WHERE duplicate_of IS NOT NULL'),
      screened: one('SELECT COUNT(*) n FROM screenings'),
      failures: one('SELECT COUNT(*) n FROM screenings WHERE is_failure = 1'),
      incidents: one('SELECT COUNT(*) n FROM incidents'),
      postmortems: one('SELECT COUNT(*) n FROM postmortems'),
      facts: one('SELECT COUNT(*) n FROM facts'),
      labels: one('SELECT COUNT(*) n FROM labels'),
      citations: one('SELECT COUNT(*) n FROM citations'),
      problems: one('SELECT COUNT(*) n FROM ingest_problems'),
    };
  }

  // ---- model-call cache and usage -------------------------------------------------------------

  getCachedCall(hash: string): CachedCall | undefined {
    const r = this.db.prepare('SELECT * FROM model_calls WHERE hash = ?').get(hash) as Row | undefined;
    return r && {
      hash, model: r.model as string, response: r.response as string, promptTokens: r.prompt_tokens as number,
      completionTokens: r.completion_tokens as number, cachedTokens: r.cached_tokens as number,
    };
  }

  putCachedCall(c: CachedCall & { request: string }): void {
    this.db.prepare(`INSERT OR REPLACE INTO model_calls (hash, model, request, response, prompt_tokens, completion_tokens, cached_tokens, created_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?)`).run(c.hash, c.model, c.request, c.response, c.promptTokens, c.completionTokens, c.cachedTokens, now());
  }

  recordUsage(u: UsageRow): void {
    this.db.prepare(`INSERT INTO usage (run_id, call_hash, stage, subject, model, from_cache, prompt_tokens, completion_tokens, cached_tokens, cost, at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(u.runId, u.callHash, u.stage, u.subject, u.model, u.fromCache ? 1 : 0,
      u.promptTokens, u.completionTokens, u.cachedTokens, u.cost, now());
  }

  /** Usage totals grouped by run, stage or subject (incident/article), or overall. */
  usage(by?: 'run_id' | 'stage' | 'subject', runId?: string): (UsageTotals & { key: string | null })[] {
    const key = by ?? 'NULL';
    const where = runId ? 'WHERE run_id = ?' : '';
    const sql = `SELECT ${key} AS key, COUNT(*) calls, SUM(1 - from_cache) sent, SUM(from_cache) fromCache,
      SUM(prompt_tokens) promptTokens, SUM(completion_tokens) completionTokens, SUM(cached_tokens) cachedTokens, SUM(cost) cost
      FROM usage ${where} GROUP BY ${key} ORDER BY ${key}`;
    const rows = (runId ? this.db.prepare(sql).all(runId) : this.db.prepare(sql).all()) as Row[];
    return rows.filter((r) => (r.calls as number) > 0).map((r) => ({
      key: (r.key as string | null) ?? null, calls: r.calls as number, sent: (r.sent as number) ?? 0, fromCache: (r.fromCache as number) ?? 0,
      promptTokens: (r.promptTokens as number) ?? 0, completionTokens: (r.completionTokens as number) ?? 0,
      cachedTokens: (r.cachedTokens as number) ?? 0, cost: (r.cost as number) ?? 0,
    }));
  }
}

function toArticle(r: Row): Article {
  return {
    id: r.id as string, url: (r.url as string) ?? null, headline: r.headline as string, source: (r.source as string) ?? null,
    published: (r.published as string) ?? null, text: r.text as string, contentHash: r.content_hash as string,
    origin: r.origin as string, duplicateOf: (r.duplicate_of as string) ?? null,
  };
}

function toJob(r: Row): JobRow {
  return {
    stage: r.stage as Stage, key: r.key as string, inputHash: r.input_hash as string, state: r.state as JobState,
    attempts: r.attempts as number, error: (r.error as string) ?? null, runId: (r.run_id as string) ?? null,
  };
}

function toCitation(r: Row): Citation {
  return { articleId: r.article_id as string, quote: r.quote as string, start: r.start as number, end: r.end as number, alignment: r.alignment as Citation['alignment'] };
}
