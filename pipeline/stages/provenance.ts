import type { Provenance } from '../../schemas/index.ts';
import type { Task } from '../backends/backend.ts';
import type { StageContext } from '../jobs/runner.ts';
import { producerOf } from '../store/store.ts';
import { hashOf } from '../text/hash.ts';

export function provenance(ctx: StageContext, task: Task): Provenance {
  return {
    backend: ctx.backend.name,
    model: ctx.backend.model,
    promptHash: ctx.backend.promptHash(task),
    schemaHash: ctx.backend.schemaHash(task),
    runId: ctx.runId,
  };
}

/** What a job's result depends on: its inputs plus who answers and with which prompt. */
export function inputHash(ctx: StageContext, task: Task, inputs: unknown): string {
  const p = provenance(ctx, task);
  return hashOf([producerOf(p), p.promptHash, p.schemaHash, inputs]);
}

/** What an incident's jobs depend on of its articles: each one's id and content hash (from a map, so planning reads no text). */
export const incidentInputs = (hashes: ReadonlyMap<string, string>, articleIds: readonly string[]) =>
  articleIds.filter((id) => hashes.has(id)).map((id) => [id, hashes.get(id)!]);
