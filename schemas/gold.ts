import { z } from 'zod';
import { DIMENSION_KEYS } from './taxonomy.ts';
import { POSTMORTEM_FIELDS } from './postmortem.ts';

/**
 * The benchmark files' shapes (../shared/benchmarks/README.md). Both FAIL's and Ko's article files
 * parse with GoldArticle; the `gold` block differs, so its fields are optional here and each scorer
 * checks for the ones it needs.
 */
export const GoldArticleLabels = z.object({
  isFailure: z.boolean().nullable().optional(),
  analyzable: z.boolean().nullable().optional(),
  incidentId: z.string().nullable().optional(),
  storyId: z.string().optional(),
  relevantToStory: z.boolean().optional(),
});
export type GoldArticleLabels = z.infer<typeof GoldArticleLabels>;

export const GoldArticle = z.object({
  id: z.string(),
  url: z.string().nullable().optional(),
  headline: z.string().default(''),
  source: z.string().nullable().optional(),
  published: z.string().nullable().optional(),
  text: z.string(),
  gold: GoldArticleLabels,
  reference: z
    .object({
      system: z.string(),
      isFailure: z.boolean().nullable().optional(),
      analyzable: z.boolean().nullable().optional(),
    })
    .optional(),
});
export type GoldArticle = z.infer<typeof GoldArticle>;

const taxonomyShape = Object.fromEntries(DIMENSION_KEYS.map((k) => [k, z.array(z.string()).nullable().optional()])) as Record<
  (typeof DIMENSION_KEYS)[number],
  z.ZodOptional<z.ZodNullable<z.ZodArray<z.ZodString>>>
>;
export const GoldTaxonomy = z.object(taxonomyShape);
export type GoldTaxonomy = z.infer<typeof GoldTaxonomy>;

const postmortemShape = Object.fromEntries(POSTMORTEM_FIELDS.map((k) => [k, z.string().nullable().optional()])) as Record<
  (typeof POSTMORTEM_FIELDS)[number],
  z.ZodOptional<z.ZodNullable<z.ZodString>>
>;
export const GoldPostmortem = z.object(postmortemShape);
export type GoldPostmortem = z.infer<typeof GoldPostmortem>;

export const GoldIncident = z.object({
  id: z.string(),
  articleIds: z.array(z.string()).min(1),
  gold: z.object({ postmortem: GoldPostmortem, taxonomy: GoldTaxonomy }),
  reference: z
    .object({
      system: z.string(),
      postmortem: GoldPostmortem.optional(),
      taxonomy: GoldTaxonomy.optional(),
      rationale: z.record(z.string(), z.string()).optional(),
    })
    .optional(),
});
export type GoldIncident = z.infer<typeof GoldIncident>;
