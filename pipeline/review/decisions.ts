import {
  DIMENSION_KEYS,
  type DimensionKey,
  POSTMORTEM_FIELDS,
  UNKNOWN,
  dimension,
  isDimensionKey,
  normalizeOptions,
  optionKeys,
  type PostmortemField,
} from '../../schemas/index.ts';
import { DecisionInput, type DecisionSnapshot, type NewReviewDecision, type ReviewDecision } from '../../schemas/review.ts';
import { producerOf, type Store } from '../store/store.ts';
import { HttpError } from './http.ts';

const issues = (e: { issues: { path: PropertyKey[]; message: string }[] }) =>
  e.issues.map((i) => `${i.path.map(String).join('.') || 'body'}: ${i.message}`).join('; ');

/**
 * A reviewer's options, held to the taxonomy: only the dimension's keys, `unknown` alone, booleans
 * single. Refused with the reason rather than silently repaired, so the reviewer sees what was wrong.
 */
export function checkOptions(dim: DimensionKey, options: readonly string[] | undefined): string[] {
  if (!options || options.length === 0) throw new HttpError(400, `"change" needs options for dimension "${dim}"`);
  const allowed: readonly string[] = optionKeys(dim);
  const bad = options.filter((o) => !allowed.includes(o));
  if (bad.length)
    throw new HttpError(
      400,
      `invalid option(s) ${bad.map((b) => `"${b}"`).join(', ')} for dimension "${dim}" (allowed: ${allowed.join(', ')})`,
    );
  if (options.includes(UNKNOWN) && options.length > 1)
    throw new HttpError(400, `"${UNKNOWN}" cannot be combined with other options (dimension "${dim}")`);
  if (options.includes(UNKNOWN)) return [UNKNOWN];
  const kept = normalizeOptions(dim, options);
  if (dimension(dim).kind === 'boolean' && new Set(options).size > 1)
    throw new HttpError(400, `dimension "${dim}" is true/false: choose exactly one option`);
  return kept;
}

function labelSnapshot(store: Store, incidentId: string, dim: string, producer: string | undefined): DecisionSnapshot | null {
  const labels = store.records.labels(incidentId, producer).filter((l) => l.dimension === dim);
  if (producer && labels.length === 0) throw new HttpError(404, `backend "${producer}" has no "${dim}" label for incident "${incidentId}"`);
  // Without a producer named, the label of the producer that wrote most recently.
  const recent = store.records.producers();
  const rank = (l: (typeof labels)[number]) => recent.indexOf(producerOf(l.provenance));
  const l = [...labels].sort((a, b) => rank(a) - rank(b))[0];
  return l ? { producer: producerOf(l.provenance), runId: l.provenance.runId, options: l.options, confidence: l.confidence } : null;
}

function factSnapshot(store: Store, incidentId: string, target: string, producer: string | undefined): DecisionSnapshot & { text: string } {
  const m = /^([A-Za-z]+):(\d{1,4})$/.exec(target);
  if (!m || !(POSTMORTEM_FIELDS as readonly string[]).includes(m[1])) {
    throw new HttpError(400, `a fact target is "<field>:<index>" with field one of ${POSTMORTEM_FIELDS.join(', ')}; got "${target}"`);
  }
  const p = producer ?? store.records.headlines().get(incidentId)?.producer;
  const pm = p ? store.records.postmortem(incidentId, p) : null;
  if (!p || !pm) throw new HttpError(404, `incident "${incidentId}" has no postmortem${producer ? ` from backend "${producer}"` : ''}`);
  const fact = pm.postmortem[m[1] as PostmortemField][Number(m[2])];
  if (!fact) throw new HttpError(404, `incident "${incidentId}" has no fact ${target} from backend "${p}"`);
  return { producer: p, runId: pm.provenance.runId, text: fact.text };
}

/** Checks a decision against the store and the taxonomy, and appends it. */
export function recordDecision(store: Store, body: unknown): ReviewDecision {
  const parsed = DecisionInput.safeParse(body);
  if (!parsed.success) throw new HttpError(400, `invalid decision: ${issues(parsed.error)}`);
  const d = parsed.data;
  if (!store.incidents.get(d.incidentId)) throw new HttpError(404, `unknown incident "${d.incidentId}"`);
  const note = d.note?.trim() || null;
  if (d.action === 'note' && !note) throw new HttpError(400, 'a "note" decision needs a non-empty note');
  let out: NewReviewDecision;
  if (d.kind === 'label') {
    if (!isDimensionKey(d.target)) throw new HttpError(400, `unknown dimension "${d.target}" (one of ${DIMENSION_KEYS.join(', ')})`);
    if (d.text !== undefined) throw new HttpError(400, 'a label decision takes options, not text');
    const snapshot = labelSnapshot(store, d.incidentId, d.target, d.producer);
    let options: string[] | null = null;
    if (d.action === 'accept') {
      if (!snapshot) throw new HttpError(409, `nothing to accept: incident "${d.incidentId}" has no "${d.target}" label`);
      options = snapshot.options!;
    } else if (d.action === 'change') options = checkOptions(d.target, d.options);
    else if (d.action === 'unknown') options = [UNKNOWN];
    else if (d.options !== undefined) throw new HttpError(400, 'a note takes no options');
    out = {
      incidentId: d.incidentId,
      kind: 'label',
      target: d.target,
      producer: snapshot?.producer ?? null,
      action: d.action,
      options,
      text: null,
      note,
      reviewer: d.reviewer,
      snapshot,
    };
  } else {
    if (d.options !== undefined) throw new HttpError(400, 'a fact decision takes text, not options');
    const snapshot = factSnapshot(store, d.incidentId, d.target, d.producer);
    let text: string | null = null;
    if (d.action === 'accept') text = snapshot.text;
    else if (d.action === 'change') {
      text = d.text?.trim() || null;
      if (!text) throw new HttpError(400, '"change" on a fact needs the corrected text');
    }
    out = {
      incidentId: d.incidentId,
      kind: 'fact',
      target: d.target,
      producer: snapshot.producer,
      action: d.action,
      options: null,
      text,
      note,
      reviewer: d.reviewer,
      snapshot,
    };
  }
  return store.review.add(out);
}
