import type { Postmortem } from '../../../schemas/index.ts';
import { emptyPostmortem } from '../../../schemas/index.ts';
import { type Option, assignFields } from './assign.ts';
import { saysSo } from './attribution.ts';
import { CLAUSE_CUES, type Candidate, factCandidates } from './candidates.ts';
import { FACT_FIELDS, type FactField } from './fact-fields.ts';
import { FAILURE } from './cues.ts';
import { reasonPart } from './clauses.ts';
import { type ArticleDoc, matchSentence } from './evidence.ts';
import type { Sentence } from '../../text/sentences.ts';
import { withLexicon, spanWords } from './lexicon.ts';
import { predict } from './logistic.ts';
import { relativeToIncident } from './relative.ts';
import { mergeFacts, namesMore } from './merge.ts';
import { impactedPart, referencePart, responsiblePart, systemPart } from './name-candidates.ts';
import { undated } from './phrases.ts';
import { type OfflineModel, logit } from './model.ts';
import { MODEL } from './learned.ts';
import { datedFacts } from './timeline.ts';
import { TUNING } from './tuning.ts';

const { maxFacts: MAX_FACTS, summarySentences, assertedOnly, notKnown, fixAction } = TUNING.settings.extraction;
const FIX_ACTION = new RegExp(fixAction, 'i');
const ASSERTED_ONLY = new Set<FactField>(assertedOnly);
const NOT_KNOWN = new RegExp(notKnown, 'i');
const SPEAKING_ONLY = new Set<FactField>(['system', 'responsibleOrganization', 'impactedOrganization']);

// The rules below leave statements and names out after the models have scored them, unlike the candidates' own
// rules (candidates.ts): the models still learn from them, so adding a rule moves no learned threshold.

/**
 * A statement that denies or hedges the failure it names (its sentence's polarity, candidates.ts) is no
 * cause or impact of it, whatever its words. Preventions and fixes are often hedged and still facts:
 * "could have been avoided if…", "said it would release a patch". On FAIL's dev split, cross-fitted, 20
 * such statements cleared a cause or impact threshold and 1 stated a gold fact.
 */
const unasserted = (o: Option) => o.c.kind === 'clause' && ASSERTED_ONLY.has(o.field) && (o.c.x.negated === 1 || o.c.x.hedged === 1);

/**
 * A statement of what is not known or not said ("It's not known how many machines may have been infected",
 * "AOL would not say how many people were exposed") states no fact, though its words are those of one.
 */
const unknown = (o: Option) => o.c.kind === 'clause' && NOT_KNOWN.test(o.c.spans[o.field]!.text);

/**
 * A name the coverage only ever quotes ("The Civil Aviation Authority said passengers were entitled to
 * compensation", "The Financial Conduct Authority said it was in contact with the bank") is a source:
 * nothing the articles state makes it the system, or the organisation responsible or hit. A regulator
 * or an analyst speaks this way; an organisation that failed, or was hit, is also named in what is said.
 */
function onlyQuoted(candidates: readonly Candidate[]): (o: Option) => boolean {
  // A speaker is also one that keeps its statement ("It said it was in contact…" names no one without it).
  const speaks = (c: Candidate) => {
    // A field may state only the name's owner ("Lumenstream" of "Lumenstream subscribers"): the name ends where its longest span does.
    const end = Math.max(...Object.values(c.spans).map((sp) => sp.end));
    let next = c.s.tokens.findIndex((t) => t.start >= end);
    while (c.s.tokens[next]?.pos === 'AUX') next++;
    return c.x['name.speaker'] === 1 || saysSo(c.s.tokens[next]);
  };
  const named = new Set(candidates.filter((c) => c.kind === 'name' && !speaks(c)).map((c) => c.key));
  return (o) => o.c.kind === 'name' && SPEAKING_ONLY.has(o.field) && !named.has(o.c.key);
}

/**
 * A fix says what was done to repair the failure or make good its harm, or what someone will do, and
 * names that act: "Engineers installed a new certificate", "Affected customers will receive three
 * months of free service". A statement that names none is no fix, whatever the fixes model makes of its
 * words ("The system, introduced in August, applied last year's tax code to staff who had changed roles").
 * It leaves its place empty, as a name only quoted does: moved to the field it fitted next, such
 * statements pushed right facts out (on FAIL's dev split a prevention; fact recall / precision 0.444 /
 * 0.379 so, 0.446 / 0.384 leaving the place empty, 0.446 / 0.372 without the rule).
 */
const noAction = (o: Option) => o.field === 'fixes' && o.c.kind === 'clause' && !FIX_ACTION.test(o.c.spans.fixes!.text);

/**
 * A sentence whose subject is a bare pronoun or quantifier ("Many were stranded at airports…", "It said
 * the outage was over") leans on the one before it: out of its place, in a summary, it names no one.
 */
const QUANTIFIER = new RegExp(`^(?:${TUNING.settings.extraction.phrases.quantities}|others)$`, 'i');
function refersBack(s: Sentence): boolean {
  const [a, b] = s.tokens;
  if (!a) return false;
  return a.pos === 'PRON' || (QUANTIFIER.test(a.norm) && (b?.pos === 'AUX' || b?.pos === 'VERB'));
}

/** Headline without the outlet suffix that syndication adds (" - Outlet", " | Outlet"). */
export function cleanHeadline(h: string): string {
  return h.replace(/\s+[-|–—]\s+[^-|–—]{2,40}$/, '').trim();
}

/** Where a name may state only part of itself in a field (name-candidates.ts). */
const PART: Partial<Record<FactField, typeof systemPart>> = {
  system: systemPart,
  responsibleOrganization: responsiblePart,
  impactedOrganization: impactedPart,
  references: referencePart,
};

/**
 * A candidate as `field` states it. The models score a name whole, as they learned it, but some names
 * state a field only in part, or not at all: a failure, a group of people or a count of things is no
 * system, though it may name one ("Owners of Hearthly smart thermostats"); a person under a title, a
 * place or an event is no organisation, though the one before the title may be ("CD Projekt Red
 * co-founder Marcin Iwinski"), and those who attacked were not hit by it; a thing is not responsible,
 * its owner is ("Northwind's check-in system"); a place or an event is no source ("Marsh Valley").
 * A last link that only dates a name is no part of it ("in the app at 3 p.m.", phrases.ts undated).
 * It applies to the names the fields kept: a name that states nothing leaves its place empty rather
 * than to a weaker candidate ("Harbor & Finch's net debt" took an impacted organisation's place when a
 * chief executive's was refilled; on the sample, fact precision 0.535 refilling, 0.540 not).
 */
function stated(c: Candidate, field: FactField): Candidate | null {
  const whole = c.spans[field];
  if (c.kind !== 'name' || !whole) return c;
  const span = undated(c.s, whole) ?? whole;
  const part = PART[field]?.(c.s, span) ?? span;
  return part === whole ? c : part ? { ...c, spans: { ...c.spans, [field]: part } } : null;
}

/**
 * A record that would state no software cause takes the likeliest statement that clears the field's
 * threshold and went nowhere because the field it fits better was full: "A fault in the way it
 * handled patients whose addresses had been changed meant that letters … were never printed" fitted
 * the impacts better, which already held four statements of what the failure did. A statement another
 * field lists stays there (filling an empty field from those cost precision, see the note of reasonCause).
 */
export function unlistedCause(kept: readonly Option[], options: readonly Option[]): Option[] {
  if (kept.some((o) => o.field === 'softwareCauses')) return [];
  const listed = new Set(kept.filter((o) => o.c.kind === 'clause').map((o) => o.c.s));
  const best = options
    .filter((o) => o.field === 'softwareCauses' && o.c.kind === 'clause' && !listed.has(o.c.s))
    .sort((a, b) => b.margin - a.margin)[0];
  return best ? [best] : [];
}

/**
 * A record that would state no software cause, though a statement it lists gives one as its reason
 * ("…suffered a three-hour outage after a faulty configuration change was pushed", "…overpaid 12,000
 * people after a calculation error in its new payments system"), states that reason as the cause.
 * Only then: cutting every statement at its clause of reason cost FAIL's dev split
 * and the sample their long gold impacts and fixes (fact recall 0.439 → 0.423 and 0.408 → 0.391), and
 * neither has a record without a software cause, so they are unchanged; a single short article often is.
 */
function reasonCause(kept: readonly Option[], scored: readonly Option[]): Option[] {
  if (kept.some((o) => o.field === 'softwareCauses')) return [];
  for (const o of [...kept].sort((a, b) => b.margin - a.margin)) {
    if (o.c.kind !== 'clause') continue;
    const part = reasonPart(o.c.s, o.c.spans[o.field]!, CLAUSE_CUES.softwareCauses);
    const own = scored.find((x) => x.c === o.c && x.field === 'softwareCauses');
    if (part && own) return [{ ...own, c: { ...o.c, spans: { ...o.c.spans, softwareCauses: part } } }];
  }
  return [];
}

/** What extraction weighed and kept, stage by stage: evals/fact-funnel.ts reads where gold facts are lost. */
export interface ExtractionTrace {
  /** Every candidate in every field it may fill, with the field model's probability. */
  scored: Option[];
  /** Those at or over their field's threshold. */
  options: Option[];
  /** Those kept after each statement and name went to the field it fits best, as the field states it. */
  kept: Option[];
  postmortem: Postmortem;
}

/**
 * Postmortem facts as an analyst states them, each quoting the exact span it came from: the system
 * and the organisations by name, causes, impacts, preventions and fixes by the clause that states
 * them, the time by the calendar date (timeline.ts). Per field, a learned model (model.ts) gives each
 * candidate (candidates.ts) the chance that it states one of the field's facts; each statement and
 * each name then goes to the one field it fits best (assign.ts), and what several articles say alike
 * becomes one fact citing all of them (merge.ts).
 */
export function extractPostmortem(docs: readonly ArticleDoc[], model: OfflineModel = MODEL): Postmortem {
  return traceExtraction(docs, model).postmortem;
}

export function traceExtraction(docs: readonly ArticleDoc[], model: OfflineModel = MODEL): ExtractionTrace {
  const first = docs[0];
  const pm = emptyPostmortem(first ? cleanHeadline(first.article.headline) : 'Untitled incident');
  const lead = docs.flatMap((d) =>
    d.sentences
      .slice(0, 4)
      .filter((s) => matchSentence(s, FAILURE) && !refersBack(s))
      .slice(0, 2),
  );
  pm.summary = lead
    .slice(0, summarySentences)
    .map((s) => s.text)
    .join(' ');

  const candidates = factCandidates(docs);
  const scored: Option[] = [];
  for (const field of FACT_FIELDS) {
    const m = model.adaptation?.extraction[field] ?? model.extraction[field];
    if (!m) throw new Error(`offline model has no extraction model for "${field}": re-learn it with failscope learn`);
    const fit = candidates.filter((c) => c.spans[field]);
    const xs = relativeToIncident(
      fit.map((c) => withLexicon(c.x, m.lexicon, () => spanWords(c.s.tokens, c.spans[field]!))),
      field,
    );
    fit.forEach((c, i) => {
      const p = predict(m, xs[i]!);
      scored.push({ c, field, p, margin: logit(p) - logit(m.threshold) });
    });
  }
  const options = scored.filter((o) => o.margin >= 0 && !unasserted(o) && !unknown(o));
  const assigned = assignFields(options).map((o) => ({ o, c: stated(o.c, o.field) }));
  // A name that states nothing takes along the sightings kept as more of it ("reset procedure at Holloway
  // Junction" of "Holloway Junction"), which would otherwise stand in its place.
  const none = assigned.filter((a) => !a.c).map((a) => a.o);
  // A name only quoted, and a fix naming no act, leave their places empty too, as a name that states nothing does.
  const quoted = onlyQuoted(candidates);
  const kept = assigned.flatMap(({ o, c }) =>
    c && !quoted(o) && !noAction(o) && !none.some((d) => d.field === o.field && namesMore(d, o)) ? [{ ...o, c }] : [],
  );
  kept.push(...unlistedCause(kept, options));
  kept.push(...reasonCause(kept, scored));
  for (const field of FACT_FIELDS)
    pm[field] = mergeFacts(
      kept.filter((o) => o.field === field),
      MAX_FACTS[field],
    );
  pm.time = datedFacts(docs);
  return { scored, options, kept, postmortem: pm };
}
