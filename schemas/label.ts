import { z } from 'zod';
import { Citation } from './citation.ts';
import { DimensionKey, OptionKey } from './taxonomy.ts';

/** Who produced a result: enough to tell backends, models, prompt versions and runs apart. */
export const Provenance = z.object({
  backend: z.string(),
  model: z.string(),
  promptHash: z.string(),
  schemaHash: z.string().nullable(),
  runId: z.string(),
});
export type Provenance = z.infer<typeof Provenance>;

export const TaxonomyLabel = z.object({
  dimension: DimensionKey,
  options: z.array(OptionKey).min(1),
  rationale: z.string(),
  confidence: z.number().min(0).max(1),
  citations: z.array(Citation),
  provenance: Provenance,
});
export type TaxonomyLabel = z.infer<typeof TaxonomyLabel>;
