import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { randomUUID } from 'node:crypto';
import { MIGRATIONS } from './migrations.ts';
import { prepareOnce } from './statements.ts';
import type {
  Article, Citation, Fact, Incident, IncidentRecord, JobState, Postmortem, Provenance, Run, RunSettings,
  Screening, Stage, TaxonomyLabel,
} from '../../schemas/index.ts';
import { POSTMORTEM_FIELDS, emptyPostmortem } from '../../schemas/index.ts';
import type { FetchKind, FetchReason, FetchRecord, FetchState } from '../../schemas/collect.ts';
import type { NewReviewDecision, ReviewDecision } from '../../schemas/review.ts';
import type { PostmortemField } from '../../schemas/postmortem.ts';

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

export interface QuoteCheck {
  runId: string | null;
  stage: string;
  subject: string | null;
  proposed: number;
  unplaced: number;
  reasked: boolean;
  dropped: number;
  /** Facts or labels left with no verified quote after the check (facts are dropped, labels kept at low confidence). */
  unsupported: number;
}

export interface QuoteCheckTotals {
  runId: string | null;
  checks: number;
  proposed: number;
  unplaced: number;
  reasks: number;
  dropped: number;
  unsupported: number;
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
    prepareOnce(this.db);
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
    // Every migration not yet applied, not only those above the highest: features land in parallel, so a
    // database may already hold a later number than one merged after it.
    const applied = new Set((this.db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map((r) => r.version));
    for (const m of MIGRATIONS.filter((m) => !applied.has(m.version)).sort((a, b) => a.version - b.version)) {
      this.tx(() => {
        this.db.exec(m.sql);
        this.db.prepare('INSERT INTO schema_migrations VALUES (?, ?, ?)').run(m.version, m.name, now());
      });
    }
  }

  // ---- articles -------------------------------------------------------------------------------

  /**
   * Inserts new articles. An id already stored with the same content is left as it is, so re-ingesting
   * is harmless; an id whose text changed is updated (`updated`), and the jobs keyed by its content
   * hash then run again for it.
   */
  insertArticles(articles: Article[]): { inserted: number; existing: number; duplicates: number; updated: number } {
    const insert = this.db.prepare(`INSERT OR IGNORE INTO articles
      (id, url, headline, source, published, text, content_hash, origin, duplicate_of, ingested_at)
      VALUES (@id, @url, @headline, @source, @published, @text, @contentHash, @origin, @duplicateOf, @at)`);
    const byHash = this.db.prepare('SELECT id FROM articles WHERE content_hash = ? AND duplicate_of IS NULL AND id != ? ORDER BY ingested_at, id LIMIT 1');
    const stored = this.db.prepare('SELECT content_hash FROM articles WHERE id = ?');
    const update = this.db.prepare(`UPDATE articles SET url = @url, headline = @headline, source = @source, published = @published,
      text = @text, content_hash = @contentHash, origin = @origin, duplicate_of = @duplicateOf, ingested_at = @at WHERE id = @id`);
    // Copies of the old text are copies no longer: they become originals again (the first one) or its copies.
    const copies = this.db.prepare('SELECT id, content_hash FROM articles WHERE duplicate_of = ? ORDER BY ingested_at, id');
    const setDup = this.db.prepare('UPDATE articles SET duplicate_of = ? WHERE id = ?');
    let inserted = 0, existing = 0, duplicates = 0, updated = 0;
    this.tx(() => {
      const at = now();
      for (const a of articles) {
        const original = byHash.get(a.contentHash, a.id) as { id: string } | undefined;
        const duplicateOf = a.duplicateOf ?? original?.id ?? null;
        const old = stored.get(a.id) as { content_hash: string } | undefined;
        if (old && old.content_hash !== a.contentHash) {
          update.run({ ...a, duplicateOf, at });
          // Now a copy of another article: the original speaks for it, in whatever incident that is in.
          if (duplicateOf) this.removeFromIncident(a.id);
          const released = new Map<string, string>();
          for (const c of copies.all(a.id) as { id: string; content_hash: string }[]) {
            const first = released.get(c.content_hash);
            setDup.run(first ?? null, c.id);
            if (!first) released.set(c.content_hash, c.id);
          }
          updated++;
          continue;
        }
        const r = insert.run({ ...a, duplicateOf, at });
        if (r.changes === 0) existing++;
        else if (duplicateOf) { inserted++; duplicates++; }
        else inserted++;
      }
    });
    return { inserted, existing, duplicates, updated };
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

  /** `listArticles` one at a time, so a stage can read the whole corpus without holding it. */
  *streamArticles(): Generator<Article> {
    for (const r of this.db.prepare('SELECT * FROM articles WHERE duplicate_of IS NULL ORDER BY published IS NULL, published, id').iterate()) yield toArticle(r as Row);
  }

  /** Id and content hash of `listArticles`, without the texts: what stages plan their jobs from. */
  articleHashes(opts: { includeDuplicates?: boolean } = {}): Map<string, string> {
    const where = opts.includeDuplicates ? '' : 'WHERE duplicate_of IS NULL';
    const rows = this.db.prepare(`SELECT id, content_hash FROM articles ${where} ORDER BY published IS NULL, published, id`).all() as Row[];
    return new Map(rows.map((r) => [r.id as string, r.content_hash as string]));
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
    return (this.db.prepare('SELECT * FROM runs ORDER BY started_at, rowid').all() as Row[]).map((r) => ({
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
    this.tx(() => {
      this.db.prepare('INSERT OR IGNORE INTO incidents (id, created_run) VALUES (?, ?)').run(incidentId, runId);
      this.db.prepare('INSERT INTO incident_articles (incident_id, article_id, similarity) VALUES (?, ?, ?)').run(incidentId, articleId, similarity);
    });
  }

  /** Folds `drop` into `keep`: its articles move over, its records go (they are stale now). */
  mergeIncidents(keep: string, drop: string): void {
    this.tx(() => {
      this.db.prepare('UPDATE incident_articles SET incident_id = ? WHERE incident_id = ?').run(keep, drop);
      this.db.prepare('DELETE FROM incidents WHERE id = ?').run(drop);
      this.db.prepare("DELETE FROM jobs WHERE stage IN ('extract', 'classify') AND key = ?").run(drop);
    });
  }

  /**
   * Takes an article out of its incident (it is no longer a failure report). An incident left empty
   * goes with its records and jobs; one that keeps articles is re-extracted, since its inputs changed.
   */
  removeFromIncident(articleId: string): void {
    this.tx(() => {
      const row = this.db.prepare('SELECT incident_id FROM incident_articles WHERE article_id = ?').get(articleId) as Row | undefined;
      this.db.prepare("DELETE FROM jobs WHERE stage = 'group' AND key = ?").run(articleId);
      if (!row) return;
      const incidentId = row.incident_id as string;
      this.db.prepare('DELETE FROM incident_articles WHERE article_id = ?').run(articleId);
      const left = (this.db.prepare('SELECT COUNT(*) n FROM incident_articles WHERE incident_id = ?').get(incidentId) as { n: number }).n;
      if (left > 0) return;
      this.db.prepare('DELETE FROM incidents WHERE id = ?').run(incidentId);
      this.db.prepare("DELETE FROM jobs WHERE stage IN ('extract', 'classify') AND key = ?").run(incidentId);
    });
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

  /** Replaces this producer's postmortem of the incident (facts and citations included) in one transaction. */
  savePostmortem(incidentId: string, pm: Postmortem, provenance: Provenance): void {
    this.tx(() => this.writePostmortem(incidentId, pm, provenance));
  }

  private writePostmortem(incidentId: string, pm: Postmortem, provenance: Provenance): void {
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

  /**
   * Replaces the incident's labels of each producer found in `labels`, in one transaction. Dimensions
   * the producer no longer labels go too (IoT layers once cps turns false), so no stale label survives.
   */
  saveLabels(incidentId: string, labels: TaxonomyLabel[]): void {
    this.tx(() => this.writeLabels(incidentId, labels));
  }

  private writeLabels(incidentId: string, labels: TaxonomyLabel[]): void {
    const drop = this.db.prepare('DELETE FROM labels WHERE incident_id = ? AND producer = ? AND dimension NOT IN (SELECT value FROM json_each(?))');
    for (const producer of new Set(labels.map((l) => producerOf(l.provenance)))) {
      drop.run(incidentId, producer, JSON.stringify(labels.filter((l) => producerOf(l.provenance) === producer).map((l) => l.dimension)));
    }
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

  /** `getPostmortem` of every incident one producer wrote, an incident at a time, in two queries instead of one per fact. */
  *postmortems(producer: string): Generator<[string, Postmortem]> {
    const heads = this.db.prepare('SELECT incident_id, title, summary FROM postmortems WHERE producer = ? ORDER BY incident_id').all(producer) as Row[];
    const rows = this.db.prepare(`SELECT f.incident_id, f.id, f.field, f.text, c.article_id, c.quote, c.start, c.end, c.alignment FROM facts f
      LEFT JOIN citations c ON c.fact_id = f.id WHERE f.producer = ? ORDER BY f.incident_id, f.field, f.idx, c.id`).iterate(producer) as IterableIterator<Row>;
    let row = rows.next();
    for (const h of heads) {
      const pm = emptyPostmortem(h.title as string);
      pm.summary = h.summary as string;
      let fact: Fact | null = null, factId: unknown = null;
      for (; !row.done && row.value.incident_id === h.incident_id; row = rows.next()) {
        const r = row.value;
        if (r.id !== factId) {
          fact = { text: r.text as string, citations: [] };
          factId = r.id;
          pm[r.field as (typeof POSTMORTEM_FIELDS)[number]].push(fact);
        }
        if (r.article_id !== null) fact!.citations.push(toCitation(r));
      }
      yield [h.incident_id as string, pm];
    }
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
    // Article by article, so each text is read once rather than copied into every one of its citations' rows.
    const text = this.db.prepare('SELECT text FROM articles WHERE id = ?');
    const rows = this.db.prepare(`SELECT article_id, quote, start, end, alignment FROM citations
      WHERE article_id IN (SELECT id FROM articles) ORDER BY article_id, id`).iterate() as IterableIterator<Row>;
    let current: { id: unknown; text: string } = { id: null, text: '' };
    for (const r of rows) {
      if (r.article_id !== current.id) current = { id: r.article_id, text: (text.get(r.article_id) as Row).text as string };
      yield { ...toCitation(r), text: current.text };
    }
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

  // ---- openai backend: quote checks (table `quote_checks`, migration 4) --------------------------

  /** One grounded model answer's quote check: how many quotes it gave, how many were not found, how many were dropped. */
  recordQuoteCheck(q: QuoteCheck): void {
    this.db.prepare(`INSERT INTO quote_checks (run_id, stage, subject, proposed, unplaced, reasked, dropped, unsupported, at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(q.runId, q.stage, q.subject, q.proposed, q.unplaced, q.reasked ? 1 : 0, q.dropped, q.unsupported, now());
  }

  /** Totals per run (or for one run): quotes given, not found at first, re-asks, quotes dropped, items left unsupported. */
  quoteChecks(runId?: string): QuoteCheckTotals[] {
    const where = runId ? 'WHERE run_id = ?' : '';
    const sql = `SELECT run_id, COUNT(*) checks, SUM(proposed) proposed, SUM(unplaced) unplaced, SUM(reasked) reasks, SUM(dropped) dropped,
      SUM(unsupported) unsupported FROM quote_checks ${where} GROUP BY run_id ORDER BY MIN(at)`;
    const rows = (runId ? this.db.prepare(sql).all(runId) : this.db.prepare(sql).all()) as Row[];
    return rows.map((r) => ({
      runId: (r.run_id as string) ?? null, checks: r.checks as number, proposed: r.proposed as number, unplaced: r.unplaced as number,
      reasks: r.reasks as number, dropped: r.dropped as number, unsupported: r.unsupported as number,
    }));
  }

  // ---- review: reviewer decisions (table `review_decisions`, migration 3) ----------------------
  // Append-only: a decision is one INSERT, so reviewers saving at the same moment never overwrite each
  // other, and every decision is kept. The latest non-note decision per target is the reviewed value.

  addReviewDecision(d: NewReviewDecision): ReviewDecision {
    const r = this.db.prepare(`INSERT INTO review_decisions (incident_id, target_kind, target, producer, action, options, text, note, reviewer, snapshot, created_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`).get(d.incidentId, d.kind, d.target, d.producer, d.action,
      d.options ? JSON.stringify(d.options) : null, d.text, d.note, d.reviewer, d.snapshot ? JSON.stringify(d.snapshot) : null, now()) as Row;
    return toDecision(r);
  }

  /** Every decision, oldest first; with an incident, only its own. */
  reviewDecisions(incidentId?: string): ReviewDecision[] {
    const rows = incidentId
      ? this.db.prepare('SELECT * FROM review_decisions WHERE incident_id = ? ORDER BY id').all(incidentId)
      : this.db.prepare('SELECT * FROM review_decisions ORDER BY id').all();
    return (rows as Row[]).map(toDecision);
  }

  /** The reviewed value of each target: its latest decision that is not a note. A fact is a target per producer. */
  latestReviewDecisions(incidentId?: string): ReviewDecision[] {
    const sql = `SELECT * FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY incident_id, target_kind, target,
      CASE WHEN target_kind = 'fact' THEN producer END ORDER BY id DESC) rn FROM review_decisions
      WHERE action != 'note' ${incidentId ? 'AND incident_id = ?' : ''}) WHERE rn = 1 ORDER BY id`;
    return ((incidentId ? this.db.prepare(sql).all(incidentId) : this.db.prepare(sql).all()) as Row[]).map(toDecision);
  }

  /** Every producer's labels of every incident, with citations, in two queries (the queue ranks them all). */
  allLabels(): { incidentId: string; producer: string; writtenAt: string; label: TaxonomyLabel }[] {
    const cites = new Map<number, Citation[]>();
    for (const c of this.db.prepare('SELECT label_id, article_id, quote, start, end, alignment FROM citations WHERE label_id IS NOT NULL ORDER BY id').all() as Row[]) {
      const list = cites.get(c.label_id as number) ?? [];
      list.push(toCitation(c));
      cites.set(c.label_id as number, list);
    }
    return (this.db.prepare('SELECT * FROM labels ORDER BY incident_id, id').all() as Row[]).map((r) => ({
      incidentId: r.incident_id as string, producer: r.producer as string, writtenAt: r.written_at as string,
      label: {
        dimension: r.dimension as TaxonomyLabel['dimension'], options: JSON.parse(r.options as string), rationale: r.rationale as string,
        confidence: r.confidence as number, citations: cites.get(r.id as number) ?? [], provenance: JSON.parse(r.provenance as string),
      },
    }));
  }

  /** Every producer's postmortem facts, with citations and the run that wrote them. */
  allFacts(): { incidentId: string; producer: string; field: PostmortemField; idx: number; runId: string | null; fact: Fact }[] {
    const cites = new Map<number, Citation[]>();
    for (const c of this.db.prepare('SELECT fact_id, article_id, quote, start, end, alignment FROM citations WHERE fact_id IS NOT NULL ORDER BY id').all() as Row[]) {
      const list = cites.get(c.fact_id as number) ?? [];
      list.push(toCitation(c));
      cites.set(c.fact_id as number, list);
    }
    return (this.db.prepare(`SELECT f.*, json_extract(p.provenance, '$.runId') run_id FROM facts f
      JOIN postmortems p ON p.incident_id = f.incident_id AND p.producer = f.producer ORDER BY f.incident_id, f.producer, f.field, f.idx`).all() as Row[]).map((r) => ({
      incidentId: r.incident_id as string, producer: r.producer as string, field: r.field as PostmortemField, idx: r.idx as number,
      runId: (r.run_id as string | null) ?? null, fact: { text: r.text as string, citations: cites.get(r.id as number) ?? [] },
    }));
  }

  /** Each incident's title and summary, from its most recently written postmortem. */
  incidentHeadlines(): Map<string, { title: string; summary: string; producer: string }> {
    const rows = this.db.prepare(`SELECT incident_id, producer, title, summary FROM (SELECT *, ROW_NUMBER() OVER
      (PARTITION BY incident_id ORDER BY written_at DESC, producer) rn FROM postmortems) WHERE rn = 1`).all() as Row[];
    return new Map(rows.map((r) => [r.incident_id as string, { title: r.title as string, summary: r.summary as string, producer: r.producer as string }]));
  }

  /** Incidents whose postmortem title or summary, or an article's headline or text, holds every term (ASCII case folded). */
  searchIncidents(terms: readonly string[]): string[] {
    const one = `(EXISTS (SELECT 1 FROM postmortems p WHERE p.incident_id = i.id AND (instr(lower(p.title), ?) > 0 OR instr(lower(p.summary), ?) > 0))
      OR EXISTS (SELECT 1 FROM incident_articles ia JOIN articles a ON a.id = ia.article_id WHERE ia.incident_id = i.id
        AND (instr(lower(a.headline), ?) > 0 OR instr(lower(a.text), ?) > 0)))`;
    const where = terms.length ? `WHERE ${terms.map(() => one).join(' AND ')}` : '';
    const args = terms.flatMap((t) => Array(4).fill(t.toLowerCase()));
    return (this.db.prepare(`SELECT i.id FROM incidents i ${where} ORDER BY i.id`).all(...args) as Row[]).map((r) => r.id as string);
  }

  // ---- collect: web fetch jobs (table `fetches`, migration 2) ----------------------------------
  // One row per URL. A row leaves `pending` only together with everything its fetch produced (the
  // article, the feed's items), in one transaction, so a killed collect re-fetches nothing recorded.

  /** Queues URLs; one already known (by canonical URL) is left as it is. Returns how many were new. */
  enqueueFetches(rows: NewFetch[]): number {
    const ins = this.db.prepare(`INSERT OR IGNORE INTO fetches (url, requested_url, kind, source, state, reason, detail, title, published, created_at, updated_at)
      VALUES (@url, @requestedUrl, @kind, @source, @state, @reason, @detail, @title, @published, @at, @at)`);
    return this.tx(() => {
      const at = now();
      let n = 0;
      for (const r of rows) {
        n += ins.run({ state: 'pending', reason: null, detail: null, title: null, published: null, ...r, at }).changes;
      }
      return n;
    });
  }

  /** Jobs still to do: feeds first (they add pages), then pages, each in the order queued. */
  pendingFetches(): FetchRecord[] {
    return (this.db.prepare("SELECT * FROM fetches WHERE state = 'pending' ORDER BY kind = 'page', id").all() as Row[]).map(toFetch);
  }

  getFetch(idOrUrl: number | string): FetchRecord | undefined {
    const r = this.db.prepare(`SELECT * FROM fetches WHERE ${typeof idOrUrl === 'number' ? 'id' : 'url'} = ?`).get(idOrUrl) as Row | undefined;
    return r && toFetch(r);
  }

  listFetches(state?: FetchState): FetchRecord[] {
    const rows = state ? this.db.prepare('SELECT * FROM fetches WHERE state = ? ORDER BY id').all(state) : this.db.prepare('SELECT * FROM fetches ORDER BY id').all();
    return (rows as Row[]).map(toFetch);
  }

  /** Counts an attempt before the request goes out, so status shows URLs that keep failing. */
  noteFetchAttempt(id: number): void {
    this.db.prepare('UPDATE fetches SET attempts = attempts + 1, updated_at = ? WHERE id = ?').run(now(), id);
  }

  /** Another page already stored under one of these (final or canonical) URLs: its original article. */
  storedPageAt(urls: string[], exceptId: number): string | undefined {
    const q = this.db.prepare(`SELECT COALESCE(duplicate_of, article_id) a FROM fetches WHERE id != ? AND kind = 'page'
      AND COALESCE(duplicate_of, article_id) IS NOT NULL AND (final_url = ? OR canonical_url = ?) ORDER BY id LIMIT 1`);
    for (const u of urls) {
      const r = q.get(exceptId, u, u) as { a: string } | undefined;
      if (r) return r.a;
    }
    return undefined;
  }

  /** The original (not itself a duplicate) article with this content hash, from any source. */
  articleWithContentHash(hash: string): string | undefined {
    return (this.db.prepare('SELECT id FROM articles WHERE content_hash = ? AND duplicate_of IS NULL ORDER BY ingested_at, id LIMIT 1').get(hash) as { id: string } | undefined)?.id;
  }

  /** MinHash signatures of collected originals, for near-duplicate lookup. */
  pageSignatures(): { articleId: string; minhash: Buffer }[] {
    return this.db.prepare("SELECT article_id articleId, minhash FROM fetches WHERE state = 'fetched' AND article_id IS NOT NULL AND minhash IS NOT NULL ORDER BY id").all() as { articleId: string; minhash: Buffer }[];
  }

  /**
   * Ends a fetch job: its article (if any), its row and any URLs it found (feed items), in one transaction.
   * Returns how many of those URLs were new.
   */
  finishFetch(id: number, outcome: FetchOutcome, extra: { article?: Article; enqueue?: NewFetch[] } = {}): number {
    const cols: Record<keyof FetchOutcome, string> = {
      kind: 'kind', state: 'state', reason: 'reason', detail: 'detail', httpStatus: 'http_status', finalUrl: 'final_url',
      canonicalUrl: 'canonical_url', etag: 'etag', lastModified: 'last_modified', rawHash: 'raw_hash', contentHash: 'content_hash',
      articleId: 'article_id', duplicateOf: 'duplicate_of', byline: 'byline', opinion: 'opinion', words: 'words', items: 'items', minhash: 'minhash',
    };
    const keys = (Object.keys(outcome) as (keyof FetchOutcome)[]).filter((k) => outcome[k] !== undefined && cols[k]);
    const values = keys.map((k) => (k === 'opinion' ? (outcome.opinion ? 1 : 0) : outcome[k]));
    return this.tx(() => {
      if (extra.article) this.insertArticles([extra.article]);
      const at = now();
      this.db.prepare(`UPDATE fetches SET ${keys.map((k) => `${cols[k]} = ?`).join(', ')}, fetched_at = ?, updated_at = ? WHERE id = ?`)
        .run(...values, at, at, id);
      return extra.enqueue?.length ? this.enqueueFetches(extra.enqueue) : 0;
    });
  }

  /** Makes finished jobs pending again: failed ones (--retry-failed), fetched feeds (--refresh, conditional GET). */
  requeueFetches(which: { failed?: boolean; feeds?: boolean }): number {
    const where = [which.failed ? "state = 'failed'" : null, which.feeds ? "(state = 'fetched' AND kind = 'feed')" : null].filter(Boolean);
    if (!where.length) return 0;
    return this.db.prepare(`UPDATE fetches SET state = 'pending', updated_at = ? WHERE ${where.join(' OR ')}`).run(now()).changes;
  }

  /** For `status`: pages and feeds by state, and failures and duplicates by reason (HTTP errors by status). */
  collectCounts(): CollectCounts {
    const byState = (kind: FetchKind) => {
      const out: Record<FetchState, number> = { pending: 0, fetched: 0, failed: 0, duplicate: 0 };
      for (const r of this.db.prepare('SELECT state, COUNT(*) n FROM fetches WHERE kind = ? GROUP BY state').all(kind) as Row[]) out[r.state as FetchState] = r.n as number;
      return out;
    };
    const byReason = (state: FetchState) => Object.fromEntries((this.db.prepare(`SELECT CASE WHEN reason = 'http-error' AND http_status IS NOT NULL
      THEN 'http-' || http_status ELSE reason END r, COUNT(*) n FROM fetches WHERE state = ? GROUP BY r ORDER BY n DESC, r`).all(state) as Row[])
      .map((r) => [r.r as string, r.n as number]));
    const opinion = (this.db.prepare("SELECT COUNT(*) n FROM fetches WHERE state = 'fetched' AND kind = 'page' AND opinion = 1").get() as { n: number }).n;
    return { pages: byState('page'), feeds: byState('feed'), failedByReason: byReason('failed'), duplicateByReason: byReason('duplicate'), opinion };
  }
}

export interface NewFetch {
  url: string;
  requestedUrl: string;
  kind: FetchKind;
  source: string | null;
  title?: string | null;
  published?: string | null;
  /** A URL refused before any request (invalid, bad scheme) is recorded failed at once. */
  state?: 'pending' | 'failed';
  reason?: FetchReason | null;
  detail?: string | null;
}

export type FetchOutcome = Partial<Pick<FetchRecord, 'kind' | 'state' | 'reason' | 'detail' | 'httpStatus' | 'finalUrl' | 'canonicalUrl' | 'etag'
  | 'lastModified' | 'rawHash' | 'contentHash' | 'articleId' | 'duplicateOf' | 'byline' | 'opinion' | 'words' | 'items'>> & { minhash?: Buffer };

export interface CollectCounts {
  pages: Record<FetchState, number>;
  feeds: Record<FetchState, number>;
  failedByReason: Record<string, number>;
  duplicateByReason: Record<string, number>;
  opinion: number;
}

function toFetch(r: Row): FetchRecord {
  const s = (k: string) => (r[k] as string | null) ?? null;
  const n = (k: string) => (r[k] as number | null) ?? null;
  return {
    id: r.id as number, url: r.url as string, requestedUrl: r.requested_url as string, kind: r.kind as FetchKind, source: s('source'),
    state: r.state as FetchState, reason: s('reason') as FetchReason | null, detail: s('detail'), httpStatus: n('http_status'),
    finalUrl: s('final_url'), canonicalUrl: s('canonical_url'), etag: s('etag'), lastModified: s('last_modified'), rawHash: s('raw_hash'),
    contentHash: s('content_hash'), articleId: s('article_id'), duplicateOf: s('duplicate_of'), title: s('title'), published: s('published'),
    byline: s('byline'), opinion: r.opinion === 1, words: n('words'), items: n('items'), attempts: r.attempts as number,
  };
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

function toDecision(r: Row): ReviewDecision {
  return {
    id: r.id as number, incidentId: r.incident_id as string, kind: r.target_kind as ReviewDecision['kind'], target: r.target as string,
    producer: (r.producer as string | null) ?? null, action: r.action as ReviewDecision['action'],
    options: r.options ? JSON.parse(r.options as string) : null, text: (r.text as string | null) ?? null, note: (r.note as string | null) ?? null,
    reviewer: r.reviewer as string, snapshot: r.snapshot ? JSON.parse(r.snapshot as string) : null, createdAt: r.created_at as string,
  };
}

function toCitation(r: Row): Citation {
  return { articleId: r.article_id as string, quote: r.quote as string, start: r.start as number, end: r.end as number, alignment: r.alignment as Citation['alignment'] };
}
