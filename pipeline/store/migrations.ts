/**
 * Numbered, append-only schema migrations. Never edit a shipped one: add the next number.
 * Each runs in its own transaction together with its row in schema_migrations.
 */
export const MIGRATIONS: { version: number; name: string; sql: string }[] = [
  {
    version: 1,
    name: 'core records',
    sql: `
      CREATE TABLE articles (
        id TEXT PRIMARY KEY,
        url TEXT,
        headline TEXT NOT NULL,
        source TEXT,
        published TEXT,
        text TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        origin TEXT NOT NULL,
        duplicate_of TEXT REFERENCES articles(id),
        ingested_at TEXT NOT NULL
      );
      CREATE INDEX articles_hash ON articles(content_hash);

      CREATE TABLE ingest_problems (
        id INTEGER PRIMARY KEY,
        origin TEXT NOT NULL,
        reason TEXT NOT NULL,
        run_id TEXT,
        at TEXT NOT NULL
      );

      CREATE TABLE runs (
        id TEXT PRIMARY KEY,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        settings TEXT NOT NULL,
        status TEXT NOT NULL,
        summary TEXT
      );

      CREATE TABLE jobs (
        stage TEXT NOT NULL,
        key TEXT NOT NULL,
        input_hash TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('pending','running','done','failed')),
        attempts INTEGER NOT NULL DEFAULT 0,
        error TEXT,
        run_id TEXT REFERENCES runs(id),
        updated_at TEXT NOT NULL,
        PRIMARY KEY (stage, key)
      );

      CREATE TABLE screenings (
        article_id TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
        is_failure INTEGER NOT NULL,
        analyzable INTEGER NOT NULL,
        confidence REAL NOT NULL,
        rationale TEXT NOT NULL,
        provenance TEXT NOT NULL
      );

      CREATE TABLE incidents (
        id TEXT PRIMARY KEY,
        created_run TEXT REFERENCES runs(id)
      );
      CREATE TABLE incident_articles (
        incident_id TEXT NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
        article_id TEXT NOT NULL UNIQUE REFERENCES articles(id) ON DELETE CASCADE,
        similarity REAL,
        PRIMARY KEY (incident_id, article_id)
      );

      CREATE TABLE postmortems (
        incident_id TEXT NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
        producer TEXT NOT NULL,
        title TEXT NOT NULL,
        summary TEXT NOT NULL,
        provenance TEXT NOT NULL,
        written_at TEXT NOT NULL,
        PRIMARY KEY (incident_id, producer)
      );
      CREATE TABLE facts (
        id INTEGER PRIMARY KEY,
        incident_id TEXT NOT NULL,
        producer TEXT NOT NULL,
        field TEXT NOT NULL,
        idx INTEGER NOT NULL,
        text TEXT NOT NULL,
        FOREIGN KEY (incident_id, producer) REFERENCES postmortems(incident_id, producer) ON DELETE CASCADE,
        UNIQUE (incident_id, producer, field, idx)
      );

      CREATE TABLE labels (
        id INTEGER PRIMARY KEY,
        incident_id TEXT NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
        producer TEXT NOT NULL,
        dimension TEXT NOT NULL,
        options TEXT NOT NULL,
        rationale TEXT NOT NULL,
        confidence REAL NOT NULL,
        provenance TEXT NOT NULL,
        written_at TEXT NOT NULL,
        UNIQUE (incident_id, producer, dimension)
      );

      CREATE TABLE citations (
        id INTEGER PRIMARY KEY,
        fact_id INTEGER REFERENCES facts(id) ON DELETE CASCADE,
        label_id INTEGER REFERENCES labels(id) ON DELETE CASCADE,
        article_id TEXT NOT NULL REFERENCES articles(id),
        quote TEXT NOT NULL,
        start INTEGER NOT NULL,
        end INTEGER NOT NULL,
        alignment TEXT NOT NULL CHECK (alignment IN ('exact','normalized','fuzzy','unaligned')),
        CHECK ((fact_id IS NULL) != (label_id IS NULL))
      );
      CREATE INDEX citations_fact ON citations(fact_id);
      CREATE INDEX citations_label ON citations(label_id);

      -- Response cache and usage for model calls. Keyed by the hash of (model, messages, schema, parameters).
      CREATE TABLE model_calls (
        hash TEXT PRIMARY KEY,
        model TEXT NOT NULL,
        request TEXT NOT NULL,
        response TEXT NOT NULL,
        prompt_tokens INTEGER NOT NULL DEFAULT 0,
        completion_tokens INTEGER NOT NULL DEFAULT 0,
        cached_tokens INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL
      );
      CREATE TABLE usage (
        id INTEGER PRIMARY KEY,
        run_id TEXT REFERENCES runs(id),
        call_hash TEXT NOT NULL,
        stage TEXT NOT NULL,
        subject TEXT,
        model TEXT NOT NULL,
        from_cache INTEGER NOT NULL,
        prompt_tokens INTEGER NOT NULL,
        completion_tokens INTEGER NOT NULL,
        cached_tokens INTEGER NOT NULL,
        cost REAL NOT NULL,
        at TEXT NOT NULL
      );
      CREATE INDEX usage_run ON usage(run_id);
    `,
  },
  {
    version: 2,
    name: 'collect: web fetch jobs',
    // One row per URL (page or feed): the job's state and everything learned fetching it, so a
    // restarted collect fetches nothing it has already recorded.
    sql: `
      CREATE TABLE fetches (
        id INTEGER PRIMARY KEY,
        url TEXT NOT NULL UNIQUE,
        requested_url TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('page','feed')),
        source TEXT,
        state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending','fetched','failed','duplicate')),
        reason TEXT,
        detail TEXT,
        http_status INTEGER,
        final_url TEXT,
        canonical_url TEXT,
        etag TEXT,
        last_modified TEXT,
        raw_hash TEXT,
        content_hash TEXT,
        article_id TEXT REFERENCES articles(id),
        duplicate_of TEXT REFERENCES articles(id),
        title TEXT,
        published TEXT,
        byline TEXT,
        opinion INTEGER NOT NULL DEFAULT 0,
        words INTEGER,
        items INTEGER,
        minhash BLOB,
        attempts INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        fetched_at TEXT,
        updated_at TEXT NOT NULL
      );
      CREATE INDEX fetches_state ON fetches(state, kind);
      CREATE INDEX fetches_final ON fetches(final_url);
      CREATE INDEX fetches_canonical ON fetches(canonical_url);
    `,
  },
  {
    version: 3,
    name: 'review: reviewer decisions',
    // Append-only: every decision is kept (latest per target wins for export), so two reviewers saving
    // at once never overwrite each other. No foreign key to incidents: regrouping may fold an incident
    // away, and the reviewer's work must outlive that (export reports such decisions).
    sql: `
      CREATE TABLE review_decisions (
        id INTEGER PRIMARY KEY,
        incident_id TEXT NOT NULL,
        target_kind TEXT NOT NULL CHECK (target_kind IN ('label','fact')),
        target TEXT NOT NULL,
        producer TEXT,
        action TEXT NOT NULL CHECK (action IN ('accept','change','unknown','note')),
        options TEXT,
        text TEXT,
        note TEXT,
        reviewer TEXT NOT NULL,
        snapshot TEXT,
        created_at TEXT NOT NULL
      );
      CREATE INDEX review_decisions_target ON review_decisions(incident_id, target_kind, target, id);
    `,
  },
  {
    version: 4,
    name: 'openai backend: quote checks',
    // Every grounded model answer's quotes are placed in the articles; the ones that cannot be, even
    // after one re-ask, are dropped. This keeps the count, so a run says how much it had to drop.
    sql: `
      CREATE TABLE quote_checks (
        id INTEGER PRIMARY KEY,
        run_id TEXT REFERENCES runs(id),
        stage TEXT NOT NULL,
        subject TEXT,
        proposed INTEGER NOT NULL,
        unplaced INTEGER NOT NULL,
        reasked INTEGER NOT NULL,
        dropped INTEGER NOT NULL,
        unsupported INTEGER NOT NULL,
        at TEXT NOT NULL
      );
      CREATE INDEX quote_checks_run ON quote_checks(run_id);
    `,
  },
  {
    version: 5,
    name: 'jobs: leases for runs sharing a database',
    // A running job is leased to the run working on it (lease_owner); the lease lasts while that run's
    // worker row is renewed. Expiry lives on the worker, not on each job, so one heartbeat write renews
    // every lease a process holds. Order-dependent stages (grouping) are leased whole, to one run at a time.
    sql: `
      CREATE TABLE workers (
        id TEXT PRIMARY KEY,
        host TEXT NOT NULL,
        pid INTEGER NOT NULL,
        started_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL
      );
      ALTER TABLE jobs ADD COLUMN lease_owner TEXT;
      CREATE INDEX jobs_lease_owner ON jobs(lease_owner) WHERE lease_owner IS NOT NULL;
      CREATE TABLE stage_leases (
        stage TEXT PRIMARY KEY,
        owner TEXT NOT NULL,
        since INTEGER NOT NULL
      );
    `,
  },
  {
    version: 6,
    name: 'openai backend: batches',
    // A batch's input file is recorded before the batch is created, and each request with it, so a run
    // killed at any point finds what it already submitted (by input file, if the batch id never came back).
    sql: `
      CREATE TABLE batches (
        id INTEGER PRIMARY KEY,
        provider_id TEXT UNIQUE,
        input_file_id TEXT NOT NULL UNIQUE,
        stage TEXT NOT NULL,
        model TEXT NOT NULL,
        run_id TEXT REFERENCES runs(id),
        status TEXT NOT NULL,
        requests INTEGER NOT NULL,
        completed INTEGER NOT NULL DEFAULT 0,
        failed INTEGER NOT NULL DEFAULT 0,
        output_file_id TEXT,
        error_file_id TEXT,
        error TEXT,
        collected INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE TABLE batch_items (
        batch INTEGER NOT NULL REFERENCES batches(id) ON DELETE CASCADE,
        custom_id TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('submitted','answered','error','lost','delivered')),
        status_code INTEGER,
        body TEXT,
        PRIMARY KEY (batch, custom_id)
      );
      CREATE INDEX batch_items_request ON batch_items(custom_id, state);
    `,
  },
  {
    version: 7,
    name: 'openai backend: pre-filter decisions',
    // Every decision the offline pre-filter could have settled, settled or not, so an eval can say how
    // many calls it saved and what that cost in recall.
    sql: `
      CREATE TABLE prefilter_decisions (
        id INTEGER PRIMARY KEY,
        run_id TEXT REFERENCES runs(id),
        stage TEXT NOT NULL,
        subject TEXT NOT NULL,
        against TEXT NOT NULL,
        settled INTEGER NOT NULL,
        answer INTEGER,
        score REAL NOT NULL,
        at TEXT NOT NULL
      );
      CREATE INDEX prefilter_decisions_run ON prefilter_decisions(run_id, stage);
    `,
  },
];
