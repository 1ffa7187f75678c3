import { type Sentence, contentWords, stopShare } from '../../text/sentences.ts';
import { statementOf } from './attribution.ts';
import { blamedPart, clauseFor, clauseParts } from './clauses.ts';
import { CAUSE, FAILURE, FIELD_CUES, IMPACT } from './cues.ts';
import { type ArticleDoc, type Cue, countCues, matchSentence, sentencesOf } from './evidence.ts';
import { CLAUSE_FIELDS, type ClauseField, type FactField } from './fact-fields.ts';
import type { Features } from './logistic.ts';
import { type Sighting, nameFeaturesOf, sightings, spansFor } from './name-candidates.ts';
import type { Span } from './span.ts';
import { TUNING } from './tuning.ts';

/**
 * What could be a postmortem fact, and what it offers, as named numbers for the learned models
 * (model.ts): for clause fields (fact-fields.ts) each sentence's statement without its attribution
 * (attribution.ts), narrowed to the clause carrying the field's cues (clauses.ts); for name fields the
 * names in the sentence and its source (name-candidates.ts).
 */
export interface Candidate {
  kind: 'clause' | 'name';
  articleId: string;
  s: Sentence;
  /** Reading order across the incident's articles. */
  order: number;
  /** Per field the candidate may fill: the span that would be the fact. */
  spans: Partial<Record<FactField, Span>>;
  /** A name's normal form: sightings of one name are one fact (empty for clauses). */
  key: string;
  x: Features;
}

/** The cues that pick a field's clause out of a sentence stating several things. */
export const CLAUSE_CUES: Record<ClauseField, Cue[]> = {
  softwareCauses: [...FIELD_CUES.softwareCauses, ...CAUSE],
  nonSoftwareCauses: [...FIELD_CUES.nonSoftwareCauses, ...CAUSE],
  impacts: [...FIELD_CUES.impacts, ...IMPACT],
  preventions: FIELD_CUES.preventions,
  fixes: FIELD_CUES.fixes,
};

const NOT_OF_FIELD = TUNING.settings.extraction.notOfField.map(({ fields, pattern }) => ({ fields, re: new RegExp(pattern, 'i') }));
const notOfField = (f: ClauseField, text: string) => NOT_OF_FIELD.some((n) => n.fields.includes(f) && n.re.test(text));

/** The fields that state what a failure was blamed on, not the blaming (clauses.ts blamedPart). */
const BLAMED = new Set<ClauseField>(['softwareCauses', 'nonSoftwareCauses']);

const QUESTION = /\?["'”’)\]]*$/;

/** What the coverage is about: how many of its sentences use each content word; a sentence's cosine with it. */
function centrality(sentences: readonly Sentence[]): (words: readonly string[]) => number {
  const c = new Map<string, number>();
  for (const s of sentences) for (const w of new Set(contentWords(s.tokens))) c.set(w, (c.get(w) ?? 0) + 1);
  const norm = Math.sqrt([...c.values()].reduce((a, v) => a + v * v, 0)) || 1;
  return (words) => {
    const own = new Set(words);
    let dot = 0;
    for (const w of own) dot += c.get(w) ?? 0;
    return own.size ? dot / (norm * Math.sqrt(own.size)) : 0;
  };
}

interface SentenceContext {
  headline: ReadonlySet<string>;
  central: (words: readonly string[]) => number;
  attributed: boolean;
}

/**
 * What a sentence offers as a postmortem fact: each field's cues, whether it reports the failure
 * (asserted, hedged or negated), its place in the article, how much it shares with the headline and
 * with the coverage as a whole, and whether it names its source.
 */
export function sentenceFeatures(s: Sentence, doc: ArticleDoc, ctx: SentenceContext): Features {
  const f: Features = {};
  for (const [field, list] of Object.entries(FIELD_CUES)) f[`cue.${field}`] = Math.log1p(countCues(s, list));
  const failure = matchSentence(s, FAILURE);
  const words = contentWords(s.tokens);
  return Object.assign(f, {
    failure: failure?.polarity === 'asserted' ? failure.weight : 0,
    hedged: failure?.polarity === 'hedged' ? 1 : 0,
    negated: failure?.polarity === 'negated' ? 1 : 0,
    cause: matchSentence(s, CAUSE)?.weight ?? 0,
    impact: matchSentence(s, IMPACT)?.weight ?? 0,
    lead: s.index < 4 ? 1 : 0,
    position: s.index / Math.max(1, doc.sentences.length),
    length: Math.log(Math.max(10, s.text.length)),
    number: /\d/.test(s.text) ? 1 : 0,
    quoted: /["“”]/.test(s.text) ? 1 : 0,
    headline: words.filter((w) => ctx.headline.has(w)).length / Math.max(1, words.length),
    central: ctx.central(words),
    attributed: ctx.attributed ? 1 : 0,
  });
}

/**
 * Every sentence that could state a fact (not a fragment, not a run-on, in English) as a clause
 * candidate, and every name in those sentences as a name candidate, with their features.
 */
export function factCandidates(docs: readonly ArticleDoc[]): Candidate[] {
  const { minSentence, maxSentence } = TUNING.settings.extraction;
  const { minStopShare } = TUNING.settings.reading;
  // Line by line: a caption or a credit line may end up inside a sentence the splitter ran on across lines.
  const furniture = new RegExp(TUNING.settings.extraction.furniture, 'im');
  const background = new RegExp(TUNING.settings.extraction.background, 'i');
  const central = centrality(docs.flatMap((d) => d.sentences));
  const headlines = docs.map((d) => new Set(sentencesOf(d.article.headline).flatMap((s) => contentWords(s.tokens))));
  const out: Candidate[] = [];
  const names: { n: Sighting; articleId: string; s: Sentence; order: number }[] = [];
  docs.forEach((d, di) => {
    for (const s of d.sentences) {
      if (s.text.length < minSentence || s.text.length > maxSentence || furniture.test(s.text)) continue;
      const st = statementOf(s);
      // Few stop words: another language, a list, a caption or a credit line. What is stated counts, not who said
      // it: "Aviation analyst Dana Morrow said airlines should test their failover regularly" is full of names.
      const stated = s.tokens.filter((t) => t.start >= st.clause.start && t.end <= st.clause.end);
      if (Math.max(stopShare(s.tokens), stopShare(stated)) < minStopShare) continue;
      const x = sentenceFeatures(s, d, { headline: headlines[di]!, central, attributed: st.speaker !== null });
      const parts = clauseParts(s, st.clause);
      const spans = Object.fromEntries(
        CLAUSE_FIELDS.flatMap((f) => {
          const span = (BLAMED.has(f) && blamedPart(s, st.clause)) || clauseFor(s, st.clause, parts, CLAUSE_CUES[f]);
          return notOfField(f, span.text) ? [] : [[f, span]];
        }),
      );
      const base = { articleId: d.article.id, s, order: di * 10_000 + s.index };
      // Background ("Like many modern vehicles, …") states how things usually work, and a question ("what's the
      // harm in disabling them, then?") states nothing: no fact of this failure, though either may name one.
      if (!background.test(st.clause.text) && !QUESTION.test(s.text)) out.push({ kind: 'clause', ...base, spans, key: '', x });
      for (const n of sightings(s, st, x)) names.push({ n, ...base });
    }
  });
  const featured = nameFeaturesOf(
    names.map((x) => x.n),
    docs,
    headlines,
  );
  names.forEach(({ n, articleId, s, order }, i) => {
    const spans = spansFor(n.phrase);
    if (Object.keys(spans).length) out.push({ kind: 'name', articleId, s, order, spans, ...featured[i]! });
  });
  return out;
}
