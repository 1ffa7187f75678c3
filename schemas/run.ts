import { z } from 'zod';

export const STAGES = ['screen', 'group', 'extract', 'classify'] as const;
export const Stage = z.enum(STAGES);
export type Stage = z.infer<typeof Stage>;

export const JobState = z.enum(['pending', 'running', 'done', 'failed']);
export type JobState = z.infer<typeof JobState>;

/** Settings a run was made with; stored with the run so results can be traced and compared. */
export const RunSettings = z.object({
  backend: z.string(),
  model: z.string(),
  concurrency: z.number().int().positive(),
  cache: z.boolean(),
});
export type RunSettings = z.infer<typeof RunSettings>;

export const Run = z.object({
  id: z.string(),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  settings: RunSettings,
  status: z.enum(['running', 'done', 'failed', 'interrupted']),
  summary: z.record(z.string(), z.unknown()).nullable(),
});
export type Run = z.infer<typeof Run>;
