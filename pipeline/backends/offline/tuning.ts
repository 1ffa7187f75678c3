import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { hashOf } from '../../text/hash.ts';
import { isDimensionKey, optionKeys } from '../../../schemas/index.ts';

/**
 * The offline backend's hand-set tuning — cue lists, polarity rules, windows, weights and thresholds —
 * as data: three JSON files in `tuning/`, validated here. Learned weights are separate (the model file).
 * `FAILSCOPE_OFFLINE_TUNING` points at another folder of the same three files, for experiments.
 *
 * Every record the backend writes depends on these files, so their content (with CODE_VERSION, raised
 * when the code that reads them changes meaning) is the backend's method hash: edit any value and
 * every job re-runs, instead of a re-run keeping records made with the old value.
 */
export const CODE_VERSION = 'offline-3';

const Pattern = z.string().min(1).refine((p) => { try { new RegExp(p); return true; } catch { return false; } }, 'not a valid regular expression');
/** Patterns of one weight; "@name" stands for a shared set of lexicons.json. */
const CueGroup = z.object({ weight: z.number().min(0), patterns: z.array(Pattern).min(1) }).strict();
const CueList = z.array(CueGroup);

export const CuesFile = z.object({
  failure: CueList, software: CueList,
  /** Words that can only mean software, computers or networks (not "systems" or "data" in general). */
  softwareStrict: CueList, cause: CueList, impact: CueList, nonReport: CueList, general: CueList,
  fields: z.object({
    time: CueList, system: CueList, responsibleOrganization: CueList, impactedOrganization: CueList, softwareCauses: CueList,
    nonSoftwareCauses: CueList, impacts: CueList, preventions: CueList, fixes: CueList, references: CueList,
  }).strict(),
}).strict();

export const LexiconsFile = z.object({
  sets: z.record(z.string(), z.array(Pattern)),
  agents: z.object({ staff: CueList, attacker: CueList }).strict(),
  /** Per taxonomy dimension, per option key: the cues that speak for it. Keys must be the taxonomy's own. */
  options: z.record(z.string(), z.record(z.string(), CueList)).superRefine((dims, ctx) => {
    for (const [dim, options] of Object.entries(dims)) {
      if (!isDimensionKey(dim)) { ctx.addIssue({ code: 'custom', path: [dim], message: `"${dim}" is not a taxonomy dimension` }); continue; }
      const keys: readonly string[] = optionKeys(dim);
      for (const k of Object.keys(options)) if (!keys.includes(k)) ctx.addIssue({ code: 'custom', path: [dim, k], message: `"${k}" is not an option of ${dim} (${keys.join(', ')})` });
    }
  }),
}).strict();

const Fraction = z.number().min(0).max(1);
export const SettingsFile = z.object({
  polarity: z.object({
    /** Characters before a cue read for negation and hedging. */
    window: z.number().int().positive(),
    negation: Pattern, noEvidence: Pattern, hedge: Pattern,
    /** A hedged cue ("could have exposed") counts this share of its weight; a negated one nothing. */
    hedgedWeight: Fraction,
  }).strict(),
  taxonomy: z.object({
    /** Dimensions read from every sentence, not only the failure's. */
    anySentence: z.array(z.string()),
    headlineWeight: z.number().min(0),
    /** Each further evidence sentence of an option counts 1 / (1 + i × diminishing). */
    diminishing: z.number().min(0),
    /** Opening sentences of an article always read as about the failure. */
    leadSentences: z.number().int().min(0),
    citesPerOption: z.number().int().min(0),
    /**
     * P(cyber-physical) at which cps is answered true. The IoT layers are labelled only for a cyber-physical
     * system, so calling one "false" loses cps and its three IoT layers, while a false "true" loses cps
     * alone: answering true pays when 4·P > 1 − P, i.e. from P = 0.2.
     */
    cpsTrueAt: Fraction,
  }).strict(),
  extraction: z.object({
    maxFacts: z.number().int().positive(),
    /** Content-word Jaccard at which two sentences state the same fact. */
    sameFact: Fraction,
    minSentence: z.number().int().min(0),
    maxSentence: z.number().int().positive(),
    summarySentences: z.number().int().positive(),
  }).strict(),
  timeline: z.object({ maxDated: z.number().int().min(0) }).strict(),
  /** Same-incident similarity threshold: base + perLogDay × log10(1 + days), at most cap; cap past recurrenceDays. */
  grouping: z.object({
    noDate: Fraction, base: Fraction, perLogDay: z.number().min(0), cap: Fraction, recurrenceDays: z.number().positive(),
  }).strict(),
}).strict();

export type CuesFile = z.infer<typeof CuesFile>;
export type LexiconsFile = z.infer<typeof LexiconsFile>;
export type Settings = z.infer<typeof SettingsFile>;

const FILES = { cues: CuesFile, lexicons: LexiconsFile, settings: SettingsFile } as const;
export const DEFAULT_TUNING_DIR = join(import.meta.dirname, 'tuning');

function readTuning(dir: string) {
  const raw = Object.fromEntries(Object.keys(FILES).map((name) => {
    const file = join(dir, `${name}.json`);
    let text: string;
    try { text = readFileSync(file, 'utf8'); } catch (e) { throw new Error(`${file}: cannot read the offline backend's tuning (${(e as Error).message})`); }
    let json: unknown;
    try { json = JSON.parse(text); } catch (e) { throw new Error(`${file}: malformed JSON: ${(e as Error).message}`); }
    const parsed = FILES[name as keyof typeof FILES].safeParse(json);
    if (!parsed.success) throw new Error(`${file}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(file)'}: ${i.message}`).join('; ')}`);
    return [name, parsed.data];
  })) as { [K in keyof typeof FILES]: z.infer<(typeof FILES)[K]> };
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
