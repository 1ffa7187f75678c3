import { z } from 'zod';
import {
  Citation,
  Fact,
  type IncidentRecord,
  POSTMORTEM_FIELDS,
  type Postmortem,
  PostmortemField,
  Provenance,
  Screening,
  TaxonomyLabel,
  emptyPostmortem,
} from '../../schemas/index.ts';
import { type Connection, now } from './connection.ts';
import type { IncidentStore } from './incidents.ts';
import { count, fromColumns, jsonText, reader, sqlBool } from './rows.ts';

/** `backend:model`: results of different backends and models live side by side. */
export const producerOf = (p: Pick<Provenance, 'backend' | 'model'>) => `${p.backend}:${p.model}`;
/** Citations belong to a producer through the fact or the label that holds them. */
const ofProducer = (producer?: string) =>
  producer ? 'WHERE fact_id IN (SELECT id FROM facts WHERE producer = ?) OR label_id IN (SELECT id FROM labels WHERE producer = ?)' : '';
const producerArgs = (producer: string | undefined, n: number): string[] => (producer ? Array<string>(n).fill(producer) : []);

const screenings = reader(
  'screenings',
  fromColumns(
    Screening.extend({
      articleId: z.string(),
      isFailure: sqlBool,
      analyzable: sqlBool,
      provenance: jsonText(Provenance),
    }),
  ),
);
const heads = reader('postmortems', fromColumns(z.object({ title: z.string(), summary: z.string(), provenance: jsonText(Provenance) })));
const headlines = reader(
  'postmortems',
  fromColumns(z.object({ incidentId: z.string(), producer: z.string(), title: z.string(), summary: z.string() })),
);
const producers = reader('postmortems', z.object({ producer: z.string() }));
const FactRow = Fact.omit({ citations: true }).extend({ id: z.number().int(), field: PostmortemField });
const facts = reader('facts', fromColumns(FactRow));
const factsWithRun = reader(
  'facts',
  fromColumns(
    FactRow.extend({
      incidentId: z.string(),
      producer: z.string(),
      idx: z.number().int(),
      runId: z.string().nullable(),
    }),
  ),
);
const LabelRow = TaxonomyLabel.omit({ citations: true }).extend({
  id: z.number().int(),
  options: jsonText(TaxonomyLabel.shape.options),
  provenance: jsonText(Provenance),
});
const labels = reader('labels', fromColumns(LabelRow));
const labelsOfIncidents = reader(
  'labels',
  fromColumns(LabelRow.extend({ incidentId: z.string(), producer: z.string(), writtenAt: z.string() })),
);
const labelIds = reader('labels', z.object({ id: z.number().int() }));
const citations = reader('citations', fromColumns(Citation));
const factCitations = reader('citations', fromColumns(Citation.extend({ factId: z.number().int() })));
const labelCitations = reader('citations', fromColumns(Citation.extend({ labelId: z.number().int() })));
const citationRows = reader('citations', fromColumns(Citation));
const texts = reader('articles', z.object({ text: z.string() }));
/** A fact joined with its citations, one row per citation (a fact without any has null citation columns). */
const factCitationRows = reader(
  'facts',
  fromColumns(
    FactRow.extend({
      incidentId: z.string(),
      articleId: z.string().nullable(),
      quote: z.string().nullable(),
      start: z.number().int().nullable(),
      end: z.number().int().nullable(),
      alignment: Citation.shape.alignment.nullable(),
    }),
  ),
);
const alignments = reader('citations', z.object({ alignment: z.string(), n: z.number().int() }));

/** Citation lists by the id of the fact or label that owns them. */
function byOwner(rows: readonly (Citation & { owner: number })[]): Map<number, Citation[]> {
  const out = new Map<number, Citation[]>();
  for (const { owner, ...c } of rows) {
    const list = out.get(owner) ?? [];
    list.push(c);
    out.set(owner, list);
  }
  return out;
}

/**
 * What the stages write about articles and incidents: screenings, postmortems with their facts, taxonomy
 * labels, and the citations behind facts and labels. Each producer (backend:model) has its own records.
 */
export class RecordStore {
  constructor(
    private readonly c: Connection,
    private readonly incidents: IncidentStore,
  ) {}

  saveScreening(articleId: string, s: Screening, provenance: Provenance): void {
    this.c.db
      .prepare(`INSERT INTO screenings (article_id, is_failure, analyzable, confidence, rationale, provenance)
      VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (article_id) DO UPDATE SET is_failure = excluded.is_failure,
      analyzable = excluded.analyzable, confidence = excluded.confidence, rationale = excluded.rationale, provenance = excluded.provenance`)
      .run(articleId, s.isFailure ? 1 : 0, s.analyzable ? 1 : 0, s.confidence, s.rationale, JSON.stringify(provenance));
  }

  screenings(): Map<string, Screening & { provenance: Provenance }> {
    return new Map(screenings.all(this.c.db.prepare('SELECT * FROM screenings').all()).map(({ articleId, ...s }) => [articleId, s]));
  }

  /** Replaces this producer's postmortem of the incident (facts and citations included) in one transaction. */
  savePostmortem(incidentId: string, pm: Postmortem, provenance: Provenance): void {
    this.c.tx(() => {
      const producer = producerOf(provenance);
      this.c.db.prepare('DELETE FROM postmortems WHERE incident_id = ? AND producer = ?').run(incidentId, producer);
      this.c.db
        .prepare('INSERT INTO postmortems (incident_id, producer, title, summary, provenance, written_at) VALUES (?, ?, ?, ?, ?, ?)')
        .run(incidentId, producer, pm.title, pm.summary, JSON.stringify(provenance), now());
      const insFact = this.c.db.prepare('INSERT INTO facts (incident_id, producer, field, idx, text) VALUES (?, ?, ?, ?, ?)');
      for (const field of POSTMORTEM_FIELDS) {
        pm[field].forEach((fact, idx) => {
          const factId = Number(insFact.run(incidentId, producer, field, idx, fact.text).lastInsertRowid);
          this.insertCitations(fact.citations, { factId });
        });
      }
    });
  }

  /**
   * Replaces the incident's labels of each producer found in `labels`, in one transaction. Dimensions
   * the producer no longer labels go too (IoT layers once cps turns false), so no stale label survives.
   */
  saveLabels(incidentId: string, list: TaxonomyLabel[]): void {
    this.c.tx(() => {
      const drop = this.c.db.prepare(
        'DELETE FROM labels WHERE incident_id = ? AND producer = ? AND dimension NOT IN (SELECT value FROM json_each(?))',
      );
      for (const producer of new Set(list.map((l) => producerOf(l.provenance)))) {
        drop.run(incidentId, producer, JSON.stringify(list.filter((l) => producerOf(l.provenance) === producer).map((l) => l.dimension)));
      }
      const ins =
        this.c.db.prepare(`INSERT INTO labels (incident_id, producer, dimension, options, rationale, confidence, provenance, written_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (incident_id, producer, dimension) DO UPDATE SET options = excluded.options,
        rationale = excluded.rationale, confidence = excluded.confidence, provenance = excluded.provenance, written_at = excluded.written_at
        RETURNING id`);
      const clear = this.c.db.prepare('DELETE FROM citations WHERE label_id = ?');
      for (const l of list) {
        const { id } = labelIds.one(
          ins.get(
            incidentId,
            producerOf(l.provenance),
            l.dimension,
            JSON.stringify(l.options),
            l.rationale,
            l.confidence,
            JSON.stringify(l.provenance),
            now(),
          ),
        );
        clear.run(id);
        this.insertCitations(l.citations, { labelId: id });
      }
    });
  }

  private insertCitations(list: Citation[], owner: { factId?: number; labelId?: number }): void {
    const ins = this.c.db.prepare(
      'INSERT INTO citations (fact_id, label_id, article_id, quote, start, end, alignment) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    for (const c of list) ins.run(owner.factId ?? null, owner.labelId ?? null, c.articleId, c.quote, c.start, c.end, c.alignment);
  }

  /** Producers that have written records, most recent first. */
  producers(): string[] {
    return producers
      .all(
        this.c.db
          .prepare(`SELECT producer, MAX(written_at) w FROM (SELECT producer, written_at FROM postmortems UNION ALL SELECT producer, written_at FROM labels)
      GROUP BY producer ORDER BY w DESC`)
          .all(),
      )
      .map((r) => r.producer);
  }

  postmortem(incidentId: string, producer: string): { postmortem: Postmortem; provenance: Provenance } | null {
    const head = heads.maybe(
      this.c.db.prepare('SELECT * FROM postmortems WHERE incident_id = ? AND producer = ?').get(incidentId, producer),
    );
    if (!head) return null;
    const pm = emptyPostmortem(head.title);
    pm.summary = head.summary;
    const cites = this.c.db.prepare('SELECT article_id, quote, start, end, alignment FROM citations WHERE fact_id = ? ORDER BY id');
    for (const f of facts.all(
      this.c.db
        .prepare('SELECT id, field, text FROM facts WHERE incident_id = ? AND producer = ? ORDER BY field, idx')
        .all(incidentId, producer),
    )) {
      pm[f.field].push({ text: f.text, citations: citations.all(cites.all(f.id)) });
    }
    return { postmortem: pm, provenance: head.provenance };
  }

  /** `postmortem` of every incident one producer wrote, an incident at a time, in two queries instead of one per fact. */
  *postmortems(producer: string): Generator<[string, Postmortem]> {
    const hs = headlines.all(
      this.c.db
        .prepare('SELECT incident_id, producer, title, summary FROM postmortems WHERE producer = ? ORDER BY incident_id')
        .all(producer),
    );
    const rows = this.c.db
      .prepare(`SELECT f.incident_id, f.id, f.field, f.text, c.article_id, c.quote, c.start, c.end, c.alignment FROM facts f
      LEFT JOIN citations c ON c.fact_id = f.id WHERE f.producer = ? ORDER BY f.incident_id, f.field, f.idx, c.id`)
      .iterate(producer);
    let row = rows.next();
    for (const h of hs) {
      const pm = emptyPostmortem(h.title);
      pm.summary = h.summary;
      let fact: Postmortem[PostmortemField][number] | null = null,
        factId: number | null = null;
      for (; !row.done; row = rows.next()) {
        const r = factCitationRows.one(row.value);
        if (r.incidentId !== h.incidentId) break;
        if (r.id !== factId) {
          fact = { text: r.text, citations: [] };
          factId = r.id;
          pm[r.field].push(fact);
        }
        if (r.articleId !== null)
          fact!.citations.push({ articleId: r.articleId, quote: r.quote!, start: r.start!, end: r.end!, alignment: r.alignment! });
      }
      yield [h.incidentId, pm];
    }
  }

  labels(incidentId: string, producer?: string): TaxonomyLabel[] {
    const rows = producer
      ? this.c.db.prepare('SELECT * FROM labels WHERE incident_id = ? AND producer = ? ORDER BY id').all(incidentId, producer)
      : this.c.db.prepare('SELECT * FROM labels WHERE incident_id = ? ORDER BY id').all(incidentId);
    const cites = this.c.db.prepare('SELECT article_id, quote, start, end, alignment FROM citations WHERE label_id = ? ORDER BY id');
    return labels.all(rows).map(({ id, dimension, options, rationale, confidence, provenance }) => ({
      dimension,
      options,
      rationale,
      confidence,
      citations: citations.all(cites.all(id)),
      provenance,
    }));
  }

  /**
   * Finished records. With a producer, that producer's results; without one, each incident's most
   * recently written results.
   */
  list(producer?: string): IncidentRecord[] {
    const latest = this.c.db.prepare('SELECT producer FROM postmortems WHERE incident_id = ? ORDER BY written_at DESC LIMIT 1');
    return this.incidents.list().map((inc) => {
      const p = producer ?? producers.maybe(latest.get(inc.id))?.producer;
      const pm = p ? this.postmortem(inc.id, p) : null;
      return {
        ...inc,
        title: pm?.postmortem.title ?? '',
        postmortem: pm?.postmortem ?? null,
        postmortemProvenance: pm?.provenance ?? null,
        labels: p ? this.labels(inc.id, p) : [],
      };
    });
  }

  /** Every producer's labels of every incident, with citations, in two queries (the queue ranks them all). */
  allLabels(): { incidentId: string; producer: string; writtenAt: string; label: TaxonomyLabel }[] {
    const cites = byOwner(
      labelCitations
        .all(
          this.c.db
            .prepare('SELECT label_id, article_id, quote, start, end, alignment FROM citations WHERE label_id IS NOT NULL ORDER BY id')
            .all(),
        )
        .map(({ labelId, ...c }) => ({ ...c, owner: labelId })),
    );
    return labelsOfIncidents.all(this.c.db.prepare('SELECT * FROM labels ORDER BY incident_id, id').all()).map((r) => ({
      incidentId: r.incidentId,
      producer: r.producer,
      writtenAt: r.writtenAt,
      label: {
        dimension: r.dimension,
        options: r.options,
        rationale: r.rationale,
        confidence: r.confidence,
        citations: cites.get(r.id) ?? [],
        provenance: r.provenance,
      },
    }));
  }

  /** Every producer's postmortem facts, with citations and the run that wrote them. */
  allFacts(): { incidentId: string; producer: string; field: PostmortemField; idx: number; runId: string | null; fact: Fact }[] {
    const cites = byOwner(
      factCitations
        .all(
          this.c.db
            .prepare('SELECT fact_id, article_id, quote, start, end, alignment FROM citations WHERE fact_id IS NOT NULL ORDER BY id')
            .all(),
        )
        .map(({ factId, ...c }) => ({ ...c, owner: factId })),
    );
    return factsWithRun
      .all(
        this.c.db
          .prepare(`SELECT f.*, json_extract(p.provenance, '$.runId') run_id FROM facts f
      JOIN postmortems p ON p.incident_id = f.incident_id AND p.producer = f.producer ORDER BY f.incident_id, f.producer, f.field, f.idx`)
          .all(),
      )
      .map((r) => ({
        incidentId: r.incidentId,
        producer: r.producer,
        field: r.field,
        idx: r.idx,
        runId: r.runId,
        fact: { text: r.text, citations: cites.get(r.id) ?? [] },
      }));
  }

  /** Each incident's title and summary, from its most recently written postmortem. */
  headlines(): Map<string, { title: string; summary: string; producer: string }> {
    const rows = headlines.all(
      this.c.db
        .prepare(`SELECT incident_id, producer, title, summary FROM (SELECT *, ROW_NUMBER() OVER
      (PARTITION BY incident_id ORDER BY written_at DESC, producer) rn FROM postmortems) WHERE rn = 1`)
        .all(),
    );
    return new Map(rows.map(({ incidentId, ...h }) => [incidentId, h]));
  }

  /** Every stored citation (or one producer's) with its article's text, for verification. */
  *citationsWithText(producer?: string): Generator<Citation & { text: string }> {
    // Each text is read once and shared by the article's citations: a join would copy a long article once per citation.
    const rows = citationRows.all(
      this.c.db
        .prepare(`SELECT article_id, quote, start, end, alignment FROM citations ${ofProducer(producer)} ORDER BY article_id, id`)
        .all(...producerArgs(producer, 2)),
    );
    const textOf = this.c.db.prepare('SELECT text FROM articles WHERE id = ?');
    let id: string | null = null,
      text: string | undefined;
    for (const r of rows) {
      if (r.articleId !== id) {
        id = r.articleId;
        text = texts.maybe(textOf.get(id))?.text;
      }
      if (text !== undefined) yield { ...r, text };
    }
  }

  citationCounts(producer?: string): Record<string, number> {
    return Object.fromEntries(
      alignments
        .all(
          this.c.db
            .prepare(`SELECT alignment, COUNT(*) n FROM citations ${ofProducer(producer)} GROUP BY alignment`)
            .all(...producerArgs(producer, 2)),
        )
        .map((r) => [r.alignment, r.n]),
    );
  }

  /**
   * How much is stored; with `producer`, only the records that producer wrote. A store keeps every
   * producer's records side by side, so a run with a re-learned model would otherwise count its
   * records and the old model's together.
   */
  counts(producer?: string): { screened: number; failures: number; postmortems: number; facts: number; labels: number; citations: number } {
    const one = (sql: string, n = 0) => count(this.c.db.prepare(sql).get(...producerArgs(producer, n)));
    const by = producer ? ' WHERE producer = ?' : '';
    return {
      screened: one('SELECT COUNT(*) n FROM screenings'),
      failures: one('SELECT COUNT(*) n FROM screenings WHERE is_failure = 1'),
      postmortems: one(`SELECT COUNT(*) n FROM postmortems${by}`, 1),
      facts: one(`SELECT COUNT(*) n FROM facts${by}`, 1),
      labels: one(`SELECT COUNT(*) n FROM labels${by}`, 1),
      citations: one(`SELECT COUNT(*) n FROM citations ${ofProducer(producer)}`, 2),
    };
  }
}
