import { z } from 'zod';

/**
 * How a backend's quote was placed in its article. `exact`: as given. `normalized`: equal after Unicode,
 * quote/dash, whitespace and case folding. `fuzzy`: most of its tokens in order, negations, numbers and
 * names exactly. An aligned citation stores the article's slice as its quote, whichever way it was placed.
 * `unaligned`: not found; start/end are then -1 and the quote must never be shown as verified.
 */
export const Alignment = z.enum(['exact', 'normalized', 'fuzzy', 'unaligned']);
export type Alignment = z.infer<typeof Alignment>;

export const Citation = z.object({
  articleId: z.string(),
  quote: z.string(),
  start: z.number().int(),
  end: z.number().int(),
  alignment: Alignment,
});
export type Citation = z.infer<typeof Citation>;

export const Fact = z.object({
  text: z.string(),
  citations: z.array(Citation),
});
export type Fact = z.infer<typeof Fact>;
