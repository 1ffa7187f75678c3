import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { OfflineModel } from '../backends/offline/model.ts';
import type { LoadedModel } from '../backends/offline/learned.ts';
import { TUNING } from '../backends/offline/tuning.ts';
import { type Exclusion, type Labelled, loadLabelled, recordedDir } from './data.ts';
import { type Log, learnBase } from './base.ts';
import { learnAdaptation } from './adapt.ts';

/** The project's corpus: every folder of data/train/parts and data/train/screening. */
export function corpusDirs(): string[] {
  const root = join(import.meta.dirname, '..', '..', 'data', 'train');
  return ['parts', 'screening'].flatMap((group) => {
    const at = join(root, group);
    return readdirSync(at, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => join(at, d.name))
      .sort();
  });
}

export interface LearnOptions {
  /** The user's labelled folders, whose conventions the model should follow. */
  target: readonly string[];
  /** The corpus the cue weights are learned from (default: the project's corpus). */
  base?: readonly string[];
  /** A model whose corpus part is reused when its corpus and the tuning are unchanged (it takes a minute to learn anew). */
  from?: LoadedModel;
  /** Left out of everything learned: the eval's cross-fitting folds. */
  exclude?: Exclusion;
  log?: Log;
  onProblem?: (origin: string, reason: string) => void;
}

const touches = (data: Labelled, ex?: Exclusion) =>
  !!ex && data.sources.some((s) => s.incidents.some((i) => ex.incidents.has(i)) || s.articles.some((a) => ex.articles.has(a)));

const sameSources = (a: OfflineModel['sources'], b: Labelled['sources']) =>
  a.length === b.length && a.every((s, i) => s.dir === b[i]!.dir && s.hash === b[i]!.hash);

/**
 * A model's corpus part serves again only for the same corpus read with the same features: its
 * folders unchanged, the tuning (cues, and the code version that reads them) unchanged, and nothing
 * of it left out by a fold.
 */
export const reusableCorpusPart = (from: OfflineModel, corpus: Labelled, exclude?: Exclusion) =>
  from.tuning === TUNING.hash && sameSources(from.sources, corpus.sources) && !touches(corpus, exclude);

/**
 * Learns an offline model: the corpus part (cue weights) and, with target folders, the layer fitted to
 * their labels. Nothing an exclusion names reaches either part.
 */
export async function learnModel(o: LearnOptions): Promise<OfflineModel> {
  const log = o.log ?? (() => {});
  const corpus = await loadLabelled(o.base ?? corpusDirs(), o.exclude, o.onProblem);
  let base: Omit<OfflineModel, 'adaptation'>;
  const from = o.from?.model;
  if (from && reusableCorpusPart(from, corpus, o.exclude)) {
    log(`corpus part reused from ${o.from!.file} (${corpus.sources.length} folders and the tuning unchanged)`);
    const { adaptation: _old, ...rest } = from;
    base = rest;
  } else {
    log(
      `learning the corpus part from ${corpus.sources.length} folder(s): ${corpus.articles.length} articles, ${corpus.incidents.length} incidents`,
    );
    base = learnBase(corpus, log);
  }
  if (o.target.length === 0) return { ...base, adaptation: null };
  const target = await loadLabelled(o.target, o.exclude, o.onProblem);
  log(
    `fitting to ${target.sources.map((s) => s.dir).join(', ')}: ${target.articles.length} articles, ${target.incidents.length} incidents`,
  );
  return { ...base, adaptation: learnAdaptation({ ...base, adaptation: null }, corpus, target, log) };
}

export { recordedDir };
