import { DecisionSnapshot, type NewReviewDecision, ReviewDecision, ReviewTargetKind } from '../../schemas/index.ts';
import { type Connection, now } from './connection.ts';
import { fromColumns, jsonText, reader } from './rows.ts';

// The table calls a decision's kind `target_kind`.
const decisions = reader(
  'review_decisions',
  fromColumns(
    ReviewDecision.omit({ kind: true })
      .extend({
        targetKind: ReviewTargetKind,
        options: jsonText(ReviewDecision.shape.options.unwrap()).nullable(),
        snapshot: jsonText(DecisionSnapshot).nullable(),
      })
      .transform(
        (r): ReviewDecision => ({
          id: r.id,
          incidentId: r.incidentId,
          kind: r.targetKind,
          target: r.target,
          producer: r.producer,
          action: r.action,
          options: r.options,
          text: r.text,
          note: r.note,
          reviewer: r.reviewer,
          snapshot: r.snapshot,
          createdAt: r.createdAt,
        }),
      ),
  ),
);

/**
 * Reviewers' decisions on labels and facts. Append-only: a decision is one INSERT, so reviewers saving at
 * the same moment never overwrite each other, and every decision is kept. The latest non-note decision
 * per target is the reviewed value.
 */
export class ReviewStore {
  constructor(private readonly c: Connection) {}

  add(d: NewReviewDecision): ReviewDecision {
    return decisions.one(
      this.c.db
        .prepare(`INSERT INTO review_decisions (incident_id, target_kind, target, producer, action, options, text, note, reviewer, snapshot, created_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`)
        .get(
          d.incidentId,
          d.kind,
          d.target,
          d.producer,
          d.action,
          d.options ? JSON.stringify(d.options) : null,
          d.text,
          d.note,
          d.reviewer,
          d.snapshot ? JSON.stringify(d.snapshot) : null,
          now(),
        ),
    );
  }

  /** Every decision, oldest first; with an incident, only its own. */
  list(incidentId?: string): ReviewDecision[] {
    const rows = incidentId
      ? this.c.db.prepare('SELECT * FROM review_decisions WHERE incident_id = ? ORDER BY id').all(incidentId)
      : this.c.db.prepare('SELECT * FROM review_decisions ORDER BY id').all();
    return decisions.all(rows);
  }

  /** The reviewed value of each target: its latest decision that is not a note. A fact is a target per producer. */
  latest(incidentId?: string): ReviewDecision[] {
    const sql = `SELECT * FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY incident_id, target_kind, target,
      CASE WHEN target_kind = 'fact' THEN producer END ORDER BY id DESC) rn FROM review_decisions
      WHERE action != 'note' ${incidentId ? 'AND incident_id = ?' : ''}) WHERE rn = 1 ORDER BY id`;
    return decisions.all(incidentId ? this.c.db.prepare(sql).all(incidentId) : this.c.db.prepare(sql).all());
  }
}
