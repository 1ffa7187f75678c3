import { DIMENSION_KEYS, POSTMORTEM_FIELDS } from '../schemas/index.ts';
import type { BinaryScores } from './metrics/prf.ts';
import type { VScores } from './metrics/vmeasure.ts';
import type { SetScores } from './metrics/sets.ts';
import type { Calibration } from './metrics/calibration.ts';
import type { GoldSet } from './gold.ts';
import type { HarnessResult, Learning } from './harness.ts';
import type { Task } from '../pipeline/backends/backend.ts';
import type { Items } from './items.ts';
import { type PublishedGrouping, publishedGrouping } from './anchors.ts';
import { MATCH_THRESHOLD } from './facts.ts';
import { type PrefilterScores, prefilterScores } from './prefilter.ts';
import {
  type CitationScores,
  type FactScores,
  type MeanScores,
  citationScores,
  dimensionScores,
  factScores,
  groupingScores,
  headline,
  meanTaxonomy,
  screeningCalibration,
  screeningScores,
  taxonomyCalibration,
} from './score.ts';

/** Everything metrics.json holds. `headline` is the flat view that `eval compare` diffs. */
export interface Scorecard {
  version: 1;
  /** `hash` is missing from evals written before it was recorded. */
  goldSet: {
    name: string;
    dir: string;
    hash?: string;
    kind: string;
    articles: number;
    incidents: number;
    problems: { origin: string; reason: string }[];
  };
  run: {
    backend: string;
    model: string;
    producer: string;
    runId: string;
    goldRunId: string;
    createdAt: string;
    seconds: Record<string, number>;
    articlesStored: number;
    duplicates: number;
    failedJobs: number;
    skippedInputs: number;
    /** Articles the end-to-end database held in incidents grouped under other inputs, grouped anew for this eval. */
    regrouped: number;
    learning: Learning;
    /** Per task, the hash of what the backend asks with (absent in evals written before it was recorded). */
    prompts?: Record<Task, string>;
  };
  screening: Record<
    'isFailure' | 'analyzable',
    { pipeline: BinaryScores; fail: BinaryScores | null; baseline: BinaryScores; unanswered: number }
  >;
  grouping: {
    endToEnd: { pipeline: VScores; baseline: VScores };
    stage: { pipeline: VScores; baseline: VScores };
    published: PublishedGrouping | null;
  };
  taxonomy: {
    dimensions: Record<string, { pipeline: SetScores; fail: SetScores | null; baseline: SetScores }>;
    mean: { pipeline: MeanScores | null; fail: MeanScores | null; baseline: MeanScores | null };
  };
  postmortem: {
    answered: number;
    fields: Record<string, { pipeline: FactScores; fail: FactScores | null }>;
    all: { pipeline: FactScores; fail: FactScores | null };
  };
  citations: { goldIncidents: CitationScores; endToEnd: CitationScores };
  calibration: { taxonomy: Calibration; screening: Calibration };
  /** Model backends only; missing from evals written before it was recorded. */
  prefilter?: PrefilterScores;
  rules: Record<string, string>;
  headline: Record<string, number | null>;
}

/** The scoring rules, stated once: written into metrics.json, the Markdown summary and the HTML report. */
export const RULES: Record<string, string> = {
  screening:
    'Precision, recall and F1 over the articles whose gold has the label (analyzable: only where it is not null). An article the pipeline gave no answer for counts as "no". FAIL did not ask "analyzable" of articles it judged not failures: read as "no".',
  duplicates:
    "An article whose text the store finds to be a copy of an earlier one is not processed again: it takes that article's screening and incident.",
  grouping:
    "End to end: every article; the pipeline's incidents, with articles it put in no incident as singletons. Stage alone: the grouping stage (TF-IDF candidates + the backend's same-incident call) run over only the articles that belong to a gold cluster, so screening errors do not compound. Articles in no gold cluster (Ko's off-topic relevantToStory:false articles, FAIL's and the sample's articles with a null incidentId) are each their own singleton gold cluster end to end, and are left out of the stage-alone score. Baseline: every article its own incident.",
  taxonomy:
    'Per dimension over the gold incidents whose gold for it is not null (IoT dimensions: only cyber-physical systems). Option sets are compared as sets of keys; "unknown" is an option key like any other, so gold ["unknown"] is matched only by ["unknown"]. A dimension the system did not answer (e.g. an IoT layer after it judged the system not cyber-physical) is the empty set. Macro-F1 averages per-option F1 over the options present in the gold or the answers. Means are over the dimensions scored.',
  baseline:
    "Majority label, leave-one-out: each item gets the answer (label, or exact option set) most frequent among the other items' gold; ties go to the key that sorts first.",
  postmortem: `Gold and FAIL field texts are split into facts at their numbering; bracketed article references are dropped, and facts that only say "Unknown"/"None" are dropped. Content tokens: words without stop words, Porter-stemmed (wink-nlp), and numbers. A predicted fact matches a gold fact when it holds at least ${MATCH_THRESHOLD * 100}% of the gold fact's distinct content tokens, and at least two of them (one for a one-token fact). Recall: gold facts matched / gold facts; precision: predicted facts that match a gold fact / predicted facts. Same rule for FAIL's postmortems.`,
  citations:
    'How each cited quote behind the scored records was placed in its article: exact, normalised (Unicode, quotes, dashes, spacing, case), fuzzy (tokens in order) or unaligned; verified = the span re-checked against the article text.',
  prefilter:
    'Model backends: decisions the offline pre-filter settled without a model call. Screening: calls saved = articles settled / articles screened; recall lost = gold failure reports settled as not failures / gold failure reports. Same-incident (the stage-alone grouping): calls saved = candidate decisions settled / all; recall lost = decisions settled apart where the gold puts the article with the incident (its most common gold cluster) / all such decisions.',
  calibration:
    "Taxonomy: each answered dimension's confidence against exact-set correctness. Screening: is-failure confidence against correctness. 10 equal-width bins; ECE = Σ (bin share) × |accuracy − mean confidence|.",
};

export function buildScorecard(gold: GoldSet, h: HarnessResult, items: Items): Scorecard {
  const screen = (l: 'isFailure' | 'analyzable') => ({
    pipeline: screeningScores(items.screening, l, 'pipeline')!,
    fail: screeningScores(items.screening, l, 'fail'),
    baseline: screeningScores(items.screening, l, 'baseline')!,
    unanswered: items.screening.filter((i) => i.gold[l] !== null && i.pipeline[l] === null).length,
  });
  const dims = Object.fromEntries(
    DIMENSION_KEYS.map((d) => [
      d,
      {
        pipeline: dimensionScores(items.taxonomy, d, 'pipeline')!,
        fail: dimensionScores(items.taxonomy, d, 'fail'),
        baseline: dimensionScores(items.taxonomy, d, 'baseline')!,
      },
    ]),
  );
  const fields = Object.fromEntries(
    POSTMORTEM_FIELDS.map((f) => [
      f,
      {
        pipeline: factScores(items.postmortem, [f], 'pipeline')!,
        fail: factScores(items.postmortem, [f], 'fail'),
      },
    ]),
  );
  const stored = h.articles.size;
  return {
    version: 1,
    goldSet: {
      name: gold.name,
      dir: gold.dir,
      hash: gold.hash,
      kind: gold.kind,
      articles: gold.articles.length,
      incidents: gold.incidents.length,
      problems: gold.problems,
    },
    run: {
      backend: h.backend,
      model: h.model,
      producer: h.producer,
      runId: h.e2e.runId,
      goldRunId: h.goldRunId,
      createdAt: new Date().toISOString(),
      seconds: h.seconds,
      articlesStored: stored,
      duplicates: [...h.articles.values()].filter((a) => a.duplicateOf).length,
      failedJobs: h.e2e.failedJobs,
      skippedInputs: h.e2e.skippedInputs,
      regrouped: h.e2e.grouping.regrouped,
      learning: h.learning,
      prompts: h.prompts,
    },
    screening: { isFailure: screen('isFailure'), analyzable: screen('analyzable') },
    grouping: {
      endToEnd: {
        pipeline: groupingScores(items.grouping.endToEnd, 'pipeline'),
        baseline: groupingScores(items.grouping.endToEnd, 'baseline'),
      },
      stage: { pipeline: groupingScores(items.grouping.stage, 'pipeline'), baseline: groupingScores(items.grouping.stage, 'baseline') },
      published: publishedGrouping(gold.kind),
    },
    taxonomy: {
      dimensions: dims,
      mean: {
        pipeline: meanTaxonomy(items.taxonomy, 'pipeline'),
        fail: meanTaxonomy(items.taxonomy, 'fail'),
        baseline: meanTaxonomy(items.taxonomy, 'baseline'),
      },
    },
    postmortem: {
      answered: items.postmortem.filter((p) => p.answered).length,
      fields,
      all: {
        pipeline: factScores(items.postmortem, POSTMORTEM_FIELDS, 'pipeline')!,
        fail: factScores(items.postmortem, POSTMORTEM_FIELDS, 'fail'),
      },
    },
    citations: { goldIncidents: citationScores(items.citations.map((c) => c.counts)), endToEnd: citationScores([h.citations.endToEnd]) },
    calibration: { taxonomy: taxonomyCalibration(items.taxonomy), screening: screeningCalibration(items.screening) },
    prefilter: prefilterScores(gold, h.prefilter.screen, h.prefilter.group),
    rules: RULES,
    headline: headline(items),
  };
}
