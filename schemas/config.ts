import { z } from 'zod';

/** `failscope.config.json`: everything a flag can set, plus what only a file should hold (prices, limits). */
export const Config = z.object({
  backend: z.enum(['offline', 'openai']).default('offline'),
  model: z.string().nullable().default(null),
  concurrency: z.number().int().positive().default(4),
  db: z.string().default('./failscope.db'),
}).passthrough();
export type Config = z.infer<typeof Config>;
