import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { hashOf } from '../../text/hash.ts';
import { isDimensionKey, optionKeys } from '../../../schemas/index.ts';
import { CLAUSE_FIELDS, FACT_FIELDS, type FactField, NAME_FIELDS } from './fact-fields.ts';
import { jsonError } from '../../text/json-error.ts';

/** What a name names, by its head word (name-candidates.ts kindOf); fieldKinds says which a field takes. */
export const NAME_KINDS = ['proper', 'person', 'people', 'organisation', 'source', 'event', 'product', 'other'] as const;

/**
 * The offline backend's hand-set tuning — cue lists, polarity rules, windows, weights and thresholds —
 * as data: three JSON files in `tuning/`, validated here. Learned weights are separate (the model file).
 * `FAILSCOPE_OFFLINE_TUNING` points at another folder of the same three files, for experiments.
 *
 * Every record the backend writes depends on these files, so their content (with CODE_VERSION, raised
 * when the code that reads them changes meaning) is the backend's method hash: edit any value and
 * every job re-runs, instead of a re-run keeping records made with the old value. (Code that changes only
 * what a stage writes, not what the model learns, raises that stage's REVISION in index.ts instead, which
 * needs no new model.)
 */
export const CODE_VERSION = 'offline-40';

const Pattern = z
  .string()
  .min(1)
  .refine((p) => {
    try {
      new RegExp(p);
      return true;
    } catch {
      return false;
    }
  }, 'not a valid regular expression');
/**
 * Patterns of one weight; "@name" stands for a shared set of lexicons.json. In an option's lexicon,
 * `quote: false` marks cues that count as evidence for the option but do not state it: a bare "glitch"
 * makes a software fault likelier, yet a sentence saying only that is no quote for "software".
 */
const CueGroup = z.object({ weight: z.number().min(0), quote: z.boolean().optional(), patterns: z.array(Pattern).min(1) }).strict();
const CueList = z.array(CueGroup);

export const CuesFile = z
  .object({
    failure: CueList,
    software: CueList,
    /** Words that can only mean software, computers or networks (not "systems" or "data" in general). */
    softwareStrict: CueList,
    cause: CueList,
    impact: CueList,
    nonReport: CueList,
    general: CueList,
    fields: z
      .object({
        time: CueList,
        system: CueList,
        responsibleOrganization: CueList,
        impactedOrganization: CueList,
        softwareCauses: CueList,
        nonSoftwareCauses: CueList,
        impacts: CueList,
        preventions: CueList,
        fixes: CueList,
        references: CueList,
      })
      .strict(),
  })
  .strict();

export const LexiconsFile = z
  .object({
    sets: z.record(z.string(), z.array(Pattern)),
    agents: z.object({ staff: CueList, attacker: CueList }).strict(),
    /** Per taxonomy dimension, per option key: the cues that speak for it. Keys must be the taxonomy's own. */
    options: z.record(z.string(), z.record(z.string(), CueList)).superRefine((dims, ctx) => {
      for (const [dim, options] of Object.entries(dims)) {
        if (!isDimensionKey(dim)) {
          ctx.addIssue({ code: 'custom', path: [dim], message: `"${dim}" is not a taxonomy dimension` });
          continue;
        }
        const keys: readonly string[] = optionKeys(dim);
        for (const k of Object.keys(options))
          if (!keys.includes(k))
            ctx.addIssue({ code: 'custom', path: [dim, k], message: `"${k}" is not an option of ${dim} (${keys.join(', ')})` });
      }
    }),
  })
  .strict();

const Fraction = z.number().min(0).max(1);
export const SettingsFile = z
  .object({
    reading: z
      .object({
        /**
         * A sentence this matches opens the page's trailer (related links, "More Great WIRED Stories", "See
         * also:"), which the text extraction kept: it and everything after it are no part of the story.
         */
        trailer: Pattern,
        /** Only from this share of an article's sentences on: earlier, a "Related:" line sits inside the story. */
        trailerFrom: Fraction,
        /**
         * Fewer English stop words than this share of the words: another language (or, in a sentence, a list or
         * a table). Such a sentence offers no fact; such an article the offline backend cannot read at all.
         */
        minStopShare: Fraction,
        /** Fewer words than this tell nothing of an article's language: it is read as English. */
        languageMinWords: z.number().int().positive(),
      })
      .strict(),
    polarity: z
      .object({
        /** Characters before a cue read for negation and hedging. */
        window: z.number().int().positive(),
        negation: Pattern,
        noEvidence: Pattern,
        hedge: Pattern,
        /** A hedged cue ("could have exposed") counts this share of its weight; a negated one nothing. */
        hedgedWeight: Fraction,
      })
      .strict(),
    taxonomy: z
      .object({
        /** Dimensions read from every sentence, not only the failure's. */
        anySentence: z.array(z.string()),
        headlineWeight: z.number().min(0),
        /** Each further evidence sentence of an option counts 1 / (1 + i × diminishing). */
        diminishing: z.number().min(0),
        /** Opening sentences of an article always read as about the failure. */
        leadSentences: z.number().int().min(0),
        /** Dimensions a rationale may quote beyond the lead for: what the system is, what it cost, whether it recurred. */
        quoteLater: z.array(z.string()),
        citesPerOption: z.number().int().min(0),
        /**
         * P(cyber-physical) at which cps is answered true. The IoT layers are labelled only for a cyber-physical
         * system, so calling one "false" loses cps and its three IoT layers, while a false "true" loses cps
         * alone: answering true pays when 4·P > 1 − P, i.e. from P = 0.2.
         */
        cpsTrueAt: Fraction,
        /** Sentences about failures in general or about the article itself: quoted as evidence for no option. */
        notThisFailure: Pattern,
      })
      .strict(),
    extraction: z
      .object({
        /** Per field (the timeline has its own cap), the most facts kept: the likeliest ones. */
        maxFacts: z
          .object(Object.fromEntries(FACT_FIELDS.map((f) => [f, z.number().int().min(0)])) as Record<FactField, z.ZodNumber>)
          .strict(),
        /**
         * Fields whose fact model also reads a lexicon learned from analysts' facts (lexicon.ts). Names are left
         * out: the words of a name are the story's own (Tesla, Boeing), which no other story's facts share.
         */
        lexiconFields: z.array(z.enum(FACT_FIELDS as [FactField, ...FactField[]])),
        /**
         * Fields whose candidates are also read against the incident's best (relative.ts), and which of their
         * features; `{field}` stands for the field's name.
         */
        relative: z.object({ fields: z.array(z.enum(FACT_FIELDS as [FactField, ...FactField[]])), features: z.array(z.string()) }).strict(),
        /** Content-word Jaccard at which two clauses state the same fact. */
        sameFact: Fraction,
        /** How many fields one name may fill (an organisation may be responsible, impacted and a source). */
        fieldsPerName: z.number().int().positive(),
        /** Prepositions before a proper name that make it likelier a place ("at Holloway Junction") than a source. */
        placeBefore: Pattern,
        /** Titles before a surname: "Mr Nolan" is the "Patrick Nolan" named before, not another source. */
        honorifics: Pattern,
        minSentence: z.number().int().min(0),
        maxSentence: z.number().int().positive(),
        /** A sentence this matches is the page's furniture (credits, captions, links), not the story. */
        furniture: Pattern,
        /**
         * Clause fields a statement fills only if it asserts the failure: one that denies or hedges it ("no evidence
         * that the actor exploited any vulnerability", "might be an issue") states no cause or impact of it.
         */
        assertedOnly: z.array(z.enum(CLAUSE_FIELDS)),
        /**
         * A fix names what was done to repair the failure or make good its harm ("installed", "refund", "free
         * service"), or what someone will do: a statement this does not match is no fix.
         */
        fixAction: Pattern,
        /** A statement this matches says what is not known or not said ("AOL would not say how many…"): no fact of any clause field. */
        notKnown: Pattern,
        /**
         * For some clause fields, a clause the pattern matches states something else: what was not done, or should have been, is
         * no fix ("does not require 2FA", "should have run the new system alongside the old one"), and what has
         * been done since is no cause ("has since required MFA", "will now be rolled out").
         */
        notOfField: z.array(z.object({ fields: z.array(z.enum(CLAUSE_FIELDS)), pattern: Pattern })),
        /** A statement this matches is background, how things usually are ("Like many modern vehicles, …"). */
        background: Pattern,
        summarySentences: z.number().int().positive(),
        /** Noun phrases: chunks linked by these prepositions (or lists, appositions, short relative clauses) make one name. */
        phrases: z
          .object({
            prepositions: Pattern,
            /** Words that name a day with a weekday ("Black Friday", "Cyber Monday"): a date, no name. */
            namedDays: Pattern,
            /** Participles that go on naming what they follow ("malware called Kovter", "ads served by"). */
            participles: Pattern,
            /** Words that count what a name is of ("Thousands of Halden Motors electric vehicles"): the system is what they count. */
            quantities: Pattern,
            /** Words that name a relation to what follows, not a thing ("responsibility for the attack", "case of a recall"): the system, if any, is what follows. */
            relations: Pattern,
            /** Plurals whose possessive is part of a name ("Boston Children's Hospital"), not its owner. */
            inNamePlurals: Pattern,
            /** Nouns that need their "of" ("lack of", "a number of"): a phrase ending on one before "of" is cut short. */
            complemented: Pattern,
            /** Last words of a proper name that make it a place or an event ("Holloway Junction", "Tessaly Cup"): no organisation. */
            placesAndEvents: Pattern,
            /** Words that, with numbers, tell the time of day ("at 3 p.m."): a link to them dates a name, it is no part of it. */
            times: Pattern,
            maxLinks: z.number().int().min(0),
            maxTokens: z.number().int().positive(),
          })
          .strict(),
        /**
         * What kind of thing a name's head noun names: an organisation (a suffix such as Inc or Agency, or a
         * word for a body of people), people served or affected (customers, passengers), a source (a person
         * by role, a publication), an event (a failure, a response) or a product (a word for software, a
         * device or a service). `media` are the source words that name no person's role (a publication, a
         * court), so they never make the title before a person's name. `culprits` are the organisation words
         * for those who attack, who are never the organisation a failure hit.
         */
        nameKinds: z
          .object({
            organisation: Pattern,
            people: Pattern,
            source: Pattern,
            media: Pattern,
            event: Pattern,
            product: Pattern,
            culprits: Pattern,
          })
          .strict(),
        /**
         * The kinds of name (by head word) a field takes, for fields that are picky: a reference is a source
         * (a named one, a body of people, a person by role, a publication), never an event or a thing
         * ("third signalling failure at Holloway Junction", "Wi-Fi connection"); an organisation is no event
         * ("failure at Holloway Junction"), the people a failure hit are not responsible for it
         * ("Lumenstream subscribers"), and a person by role ("Halden's head of software, Dr. Anika Rao",
         * "Marion Fletcher, branch secretary of the union") is a source, no organisation. Unlisted fields take
         * any name.
         */
        fieldKinds: z.partialRecord(z.enum(NAME_FIELDS), z.array(z.enum(NAME_KINDS))),
        /** Words after a comma that open a new clause, where a sentence stating two facts splits. */
        clauseJoins: Pattern,
        /**
         * Words that open a statement's reason ("…went down after a faulty update was pushed", "due to a glitch",
         * "…, when a database upgrade failed"): see clauses.ts reasonPart.
         */
        clauseReasons: Pattern,
        /** Verbs that lay a failure at something's door ("blamed the outage on…", "attributed the cracks to…"): see clauses.ts blamedPart. */
        blameVerbs: Pattern,
        /** How a sentence names its source ("…, officials said"): facts state the clause, references name the source. */
        attribution: z
          .object({
            /** Speech verbs, as one alternation matched against whole words. */
            verbs: Pattern,
            /** The speech verbs whose statement may follow without "that" ("X said the fix worked"); others take an object. */
            direct: Pattern,
            /** The speech verbs news puts before their speaker ("…, said the agency"); "…, acknowledged the problem" is no source. */
            inverted: Pattern,
            /** Words that may open a sentence before its statement ("But", "However"). */
            connectives: Pattern,
            /** How a statement was made ("in a statement"): not part of who made it. */
            channels: Pattern,
            /** Fewer words than this (or no verb) is no clause: the sentence is kept whole. */
            minClauseWords: z.number().int().positive(),
            maxSpeakerWords: z.number().int().positive(),
          })
          .strict(),
      })
      .strict(),
    /** maxMonthsBefore: a date further before the article than this dates an earlier failure it recalls. */
    timeline: z.object({ maxDated: z.number().int().min(0), maxMonthsBefore: z.number().int().min(0) }).strict(),
    /** Same-incident similarity threshold: base + perLogDay × log10(1 + days), at most cap; cap past recurrenceDays. */
    grouping: z
      .object({
        noDate: Fraction,
        base: Fraction,
        perLogDay: z.number().min(0),
        cap: Fraction,
        recurrenceDays: z.number().positive(),
      })
      .strict(),
  })
  .strict();

export type CuesFile = z.infer<typeof CuesFile>;
export type LexiconsFile = z.infer<typeof LexiconsFile>;
export type Settings = z.infer<typeof SettingsFile>;

const FILES = { cues: CuesFile, lexicons: LexiconsFile, settings: SettingsFile } as const;
export const DEFAULT_TUNING_DIR = join(import.meta.dirname, 'tuning');

function readTuning(dir: string) {
  const raw = Object.fromEntries(
    Object.keys(FILES).map((name) => {
      const file = join(dir, `${name}.json`);
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (e) {
        throw new Error(`${file}: cannot read the offline backend's tuning (${(e as Error).message})`);
      }
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch (e) {
        throw new Error(`${file}: malformed JSON: ${jsonError(text, e)}`);
      }
      const parsed = FILES[name as keyof typeof FILES].safeParse(json);
      if (!parsed.success)
        throw new Error(`${file}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(file)'}: ${i.message}`).join('; ')}`);
      return [name, parsed.data];
    }),
  ) as { [K in keyof typeof FILES]: z.infer<(typeof FILES)[K]> };
  return {
    dir,
    ...raw,
    // Of the parsed content: re-indenting a file changes nothing, any changed value re-runs every job.
    hash: hashOf([CODE_VERSION, raw]),
  };
}

export type Tuning = ReturnType<typeof readTuning>;
export const TUNING: Tuning = readTuning(process.env.FAILSCOPE_OFFLINE_TUNING || DEFAULT_TUNING_DIR);
export { readTuning };
