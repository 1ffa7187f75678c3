import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { classifyDocs, shownEvidence } from '../pipeline/backends/offline/classify.ts';
import { readArticle } from '../pipeline/backends/offline/evidence.ts';
import { taxonomyEvidence } from '../pipeline/backends/offline/features.ts';
import { quotableIn } from '../pipeline/backends/offline/quotable.ts';
import { loadModel } from '../pipeline/backends/offline/learned.ts';
import type { OfflineModel } from '../pipeline/backends/offline/model.ts';
import type { GoldIncident } from '../schemas/index.ts';
import { type GoldProblem, type GoldSet, articlesOf, loadGold, readJsonl } from './gold.ts';
import { mulberry32 } from './metrics/bootstrap.ts';
import { countShare, markdownTable } from './summary.ts';
import { sha256 } from '../pipeline/text/hash.ts';

/**
 * Does the quoted sentence support the option it is shown for? The offline backend shows, per option
 * of a label, the sentences whose cues speak for it; a cue can match a word in another sense ("the
 * morning rush" is no rushed release). A reviewer's judgement of each shown quote, kept in a JSONL file,
 * measures how often that happens, and the audit lists quotes nobody has judged yet.
 */
export const Judgement = z
  .object({
    incident: z.string(),
    dimension: z.string(),
    option: z.string(),
    article: z.string(),
    /** The quoted sentence; or, for text that may not be copied (a publisher's), its SHA-256 alone. */
    sentence: z.string().optional(),
    sentenceSha256: z
      .string()
      .regex(/^[0-9a-f]{64}$/)
      .optional(),
    supports: z.boolean(),
  })
  .refine((j) => j.sentence !== undefined || j.sentenceSha256 !== undefined, { message: 'needs sentence or sentenceSha256' });
export type Judgement = z.infer<typeof Judgement>;
export interface Quote {
  incident: string;
  dimension: string;
  option: string;
  article: string;
  sentence: string;
}

/** One quote's identity: its incident, dimension, option and sentence (by text or by hash alike). */
export const keyOf = (q: Pick<Judgement, 'incident' | 'dimension' | 'option' | 'sentence' | 'sentenceSha256'>) =>
  [q.incident, q.dimension, q.option, q.sentenceSha256 ?? sha256(q.sentence!)].join('\u0000');

/**
 * Ko's larger stories run to dozens of articles, many of them syndicated copies of one report: the first
 * STORY_ARTICLES sample a story's coverage, as a reader's incident would hold it, and keep the audit quick.
 */
const STORY_ARTICLES = 10;

/** The incidents whose quotes are audited: the gold's, or for Ko's stories, which have none, each story's relevant articles. */
export function auditedIncidents(gold: GoldSet): Pick<GoldIncident, 'id' | 'articleIds'>[] {
  if (gold.incidents.length) return gold.incidents;
  const stories = new Map<string, string[]>();
  for (const a of gold.articles) {
    const story = a.gold.relevantToStory ? a.gold.storyId : undefined;
    if (story) stories.set(story, [...(stories.get(story) ?? []), a.id]);
  }
  return [...stories].map(([id, ids]) => ({ id, articleIds: ids.slice(0, STORY_ARTICLES) }));
}

/** A seeded random `n` of `items`, in their order (Fisher–Yates over the indices). */
export function drawn<T>(items: readonly T[], n: number, seed: number): T[] {
  if (!Number.isInteger(n) || n < 0) throw new Error(`--draw takes a count, not "${n}"`);
  const rand = mulberry32(seed);
  const idx = items.map((_x, i) => i);
  for (let i = idx.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [idx[i], idx[j]] = [idx[j]!, idx[i]!];
  }
  return idx
    .slice(0, n)
    .sort((a, b) => a - b)
    .map((i) => items[i]!);
}

/** Every sentence the offline backend shows as evidence for the options it gives, incident by incident. */
export function shownQuotes(gold: GoldSet, model: OfflineModel): Quote[] {
  const articles = articlesOf(gold);
  return auditedIncidents(gold).flatMap((inc) => {
    const docs = articles(inc).map(readArticle);
    const evidence = taxonomyEvidence(docs);
    const quotable = quotableIn(docs);
    return classifyDocs(docs, model).flatMap((label) =>
      [...shownEvidence(label.dimension, evidence.get(label.dimension) ?? [], label.options, quotable)].flatMap(([option, hits]) =>
        hits.map((h) => ({ incident: inc.id, dimension: label.dimension, option, article: h.articleId, sentence: h.sentence.text })),
      ),
    );
  });
}

export interface AuditRow {
  dimension: string;
  shown: number;
  supports: number;
  notSupports: number;
  unjudged: Quote[];
}

/**
 * Each quote's verdict: with one judge, theirs; with several (a file each), the majority's. A quote whose
 * judges split evenly has no verdict, and counts as not judged until one more judge reads it.
 */
export function verdicts(judges: readonly (readonly Judgement[])[]): Map<string, boolean> {
  const votes = new Map<string, number[]>();
  for (const judgements of judges)
    for (const j of judgements) {
      const v = votes.get(keyOf(j)) ?? votes.set(keyOf(j), [0, 0]).get(keyOf(j))!;
      v[j.supports ? 1 : 0]++;
    }
  return new Map([...votes].filter(([, [no, yes]]) => no !== yes).map(([k, [no, yes]]) => [k, yes! > no!]));
}

/** Shown quotes against the judges' judgements (a list per judge, by majority), per dimension and in all. */
export function audit(quotes: readonly Quote[], judges: readonly (readonly Judgement[])[]): AuditRow[] {
  const judged = verdicts(judges);
  const rows = new Map<string, AuditRow>();
  const row = (dimension: string) =>
    rows.get(dimension) ?? rows.set(dimension, { dimension, shown: 0, supports: 0, notSupports: 0, unjudged: [] }).get(dimension)!;
  for (const q of quotes)
    for (const r of [row(q.dimension), row('all')]) {
      const verdict = judged.get(keyOf(q));
      r.shown++;
      if (verdict === true) r.supports++;
      else if (verdict === false) r.notSupports++;
      else r.unjudged.push(q);
    }
  const all = row('all');
  rows.delete('all');
  return [...rows.values(), all];
}

export function auditTable(rows: readonly AuditRow[]): string {
  return markdownTable({
    headers: ['dimension', 'quotes shown', 'judged to support', 'judged not to', 'not judged'],
    rows: rows.map((r) => [
      r.dimension,
      `${r.shown}`,
      countShare(r.supports, r.supports + r.notSupports),
      countShare(r.notSupports, r.supports + r.notSupports),
      `${r.unjudged.length}`,
    ]),
    strong: [rows.length - 1],
  });
}

const USAGE =
  'usage: node bin/run-ts.js evals/evidence-audit.ts <gold folder> <judgements.jsonl> [<more judges>.jsonl …] [--unjudged | --unjudged-hashed] [--draw <n> --seed <s>]';

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const OPTIONS = {
    unjudged: { type: 'boolean' },
    'unjudged-hashed': { type: 'boolean' },
    draw: { type: 'string' },
    seed: { type: 'string', default: '1' },
  } as const;
  let args: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>;
  try {
    args = parseArgs({ options: OPTIONS, allowPositionals: true });
  } catch (e) {
    console.error(`evidence-audit: ${(e as Error).message}\n${USAGE}`);
    process.exit(2);
  }
  const [dir, ...files] = args.positionals;
  if (!dir || files.length === 0) {
    console.error(USAGE);
    process.exit(2);
  }
  try {
    for (const file of files) if (!existsSync(file)) throw new Error(`${file}: not found`);
    const gold = await loadGold(dir);
    const problems: GoldProblem[] = [...gold.problems];
    const judges = await Promise.all(files.map((file) => readJsonl(file, Judgement, problems)));
    for (const p of problems) console.error(`${p.origin}: ${p.reason}`);
    const rows = audit(shownQuotes(gold, loadModel().model), judges);
    // The quotes to judge next, as lines to complete (`supports`) and append to a judgements file, all of
    // them or a seeded random draw; `--unjudged-hashed` names each sentence by its SHA-256, for text that
    // may not be copied.
    const { unjudged } = rows.at(-1)!;
    const draw = args.values.draw === undefined ? unjudged : drawn(unjudged, Number(args.values.draw), Number(args.values.seed));
    if (args.values.unjudged) for (const q of draw) console.log(JSON.stringify({ ...q, supports: null }));
    else if (args.values['unjudged-hashed'])
      for (const { sentence, ...q } of draw) console.log(JSON.stringify({ ...q, sentenceSha256: sha256(sentence), supports: null }));
    else console.log(auditTable(rows));
  } catch (e) {
    console.error(`evidence-audit: ${(e as Error).message}`);
    process.exit(2);
  }
}
