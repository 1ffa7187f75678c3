import { PrefilterDecision } from '../../schemas/index.ts';
import type { DecisionRecorder } from '../backends/backend.ts';
import { type Connection, now } from './connection.ts';
import { fromColumns, jsonText, reader, sqlBool } from './rows.ts';

const decisions = reader(
  'prefilter_decisions',
  fromColumns(
    PrefilterDecision.extend({
      against: jsonText(PrefilterDecision.shape.against),
      settled: sqlBool,
      answer: sqlBool.nullable(),
    }),
  ),
);

/** The decisions the offline pre-filter could settle, settled or put to the model. */
export class PrefilterStore implements DecisionRecorder {
  constructor(private readonly c: Connection) {}

  recordDecision(d: PrefilterDecision): void {
    this.c.db
      .prepare(
        'INSERT INTO prefilter_decisions (run_id, stage, subject, against, settled, answer, score, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      )
      .run(
        d.runId,
        d.stage,
        d.subject,
        JSON.stringify(d.against),
        d.settled ? 1 : 0,
        d.answer === null ? null : d.answer ? 1 : 0,
        d.score,
        now(),
      );
  }

  /**
   * Screening: each article's latest decision (a re-run may have asked again). Same-incident: every
   * decision of one run, since an article meets several incidents and a regrouping asks afresh.
   */
  decisions(stage: PrefilterDecision['stage'], runId?: string): PrefilterDecision[] {
    if (stage === 'group') {
      return decisions.all(
        this.c.db.prepare("SELECT * FROM prefilter_decisions WHERE stage = 'group' AND run_id IS ? ORDER BY id").all(runId ?? null),
      );
    }
    return decisions.all(
      this.c.db
        .prepare(`SELECT * FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY subject ORDER BY id DESC) rn
      FROM prefilter_decisions WHERE stage = 'screen') WHERE rn = 1 ORDER BY id`)
        .all(),
    );
  }
}
