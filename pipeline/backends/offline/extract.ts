import type { Postmortem } from '../../../schemas/index.ts';
import { emptyPostmortem } from '../../../schemas/index.ts';
import { type Option, assignFields } from './assign.ts';
import { type Candidate, factCandidates } from './candidates.ts';
import { FACT_FIELDS } from './fact-fields.ts';
import { FAILURE } from './cues.ts';
import { type ArticleDoc, matchSentence } from './evidence.ts';
import { withLexicon, spanWords } from './lexicon.ts';
import { predict } from './logistic.ts';
import { mergeFacts } from './merge.ts';
import { systemPart } from './name-candidates.ts';
import { type OfflineModel, logit } from './model.ts';
import { MODEL } from './learned.ts';
import { datedFacts } from './timeline.ts';
import { TUNING } from './tuning.ts';

const { maxFacts: MAX_FACTS, summarySentences } = TUNING.settings.extraction;

/** Headline without the outlet suffix that syndication adds (" - Outlet", " | Outlet"). */
export function cleanHeadline(h: string): string {
  return h.replace(/\s+[-|–—]\s+[^-|–—]{2,40}$/, '').trim();
}

/**
 * A candidate as a system: the models score a name whole, as they learned it, but a failure, a group of
 * people or a count of things is no system, though it may name one ("Owners of Hearthly smart
 * thermostats"): it is stated by that part (name-candidates.ts systemPart), or not at all.
 */
function asSystem(c: Candidate): Candidate | null {
  if (c.kind !== 'name' || !c.spans.system) return c;
  const part = systemPart(c.s, c.spans.system);
  return part === null ? c : part ? { ...c, spans: { ...c.spans, system: part } } : null;
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
  const first = docs[0];
  const pm = emptyPostmortem(first ? cleanHeadline(first.article.headline) : 'Untitled incident');
  const lead = docs.flatMap((d) =>
    d.sentences
      .slice(0, 4)
      .filter((s) => matchSentence(s, FAILURE))
      .slice(0, 2),
  );
  pm.summary = lead
    .slice(0, summarySentences)
    .map((s) => s.text)
    .join(' ');

  const candidates = factCandidates(docs);
  const options: Option[] = [];
  for (const field of FACT_FIELDS) {
    const m = model.adaptation?.extraction[field] ?? model.extraction[field];
    if (!m) throw new Error(`offline model has no extraction model for "${field}": re-learn it with failscope learn`);
    for (const named of candidates) {
      const c = field === 'system' ? asSystem(named) : named;
      const span = c?.spans[field];
      if (!c || !span) continue;
      const p = predict(
        m,
        withLexicon(c.x, m.lexicon, () => spanWords(c.s.tokens, span)),
      );
      if (p >= m.threshold) options.push({ c, field, p, margin: logit(p) - logit(m.threshold) });
    }
  }
  const kept = assignFields(options);
  for (const field of FACT_FIELDS)
    pm[field] = mergeFacts(
      kept.filter((o) => o.field === field),
      MAX_FACTS[field],
    );
  pm.time = datedFacts(docs);
  return pm;
}
