import { z } from 'zod';

/** One news article as the pipeline sees it. Gold labels never live here: the pipeline must not read them. */
export const Article = z.object({
  id: z.string().min(1),
  url: z.string().nullable(),
  headline: z.string(),
  source: z.string().nullable(),
  /** ISO date (YYYY-MM-DD) when known. */
  published: z.string().nullable(),
  text: z.string(),
  /** sha256 of the normalised text; equal hashes are the same article. */
  contentHash: z.string(),
  /** Where it came from: `path:line` for files, the URL for the web. */
  origin: z.string(),
  /** Set when this article is a copy of another one already stored. */
  duplicateOf: z.string().nullable(),
});
export type Article = z.infer<typeof Article>;

/** What the screening stage decides about one article. */
export const Screening = z.object({
  isFailure: z.boolean(),
  analyzable: z.boolean(),
  confidence: z.number().min(0).max(1),
  rationale: z.string(),
});
export type Screening = z.infer<typeof Screening>;
