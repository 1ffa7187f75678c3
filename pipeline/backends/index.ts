import type { Config } from '../../schemas/index.ts';
import type { Backend } from './backend.ts';
import type { Problem } from '../ingest/read.ts';
import { OfflineBackend } from './offline/index.ts';

export interface BackendOptions {
  backend: string;
  model?: string;
  config?: Config;
  /** false (`--no-cache`): model backends do not read cached responses. */
  cache?: boolean;
  /** The offline backend's model file (`--model-file`, else the config's offline.modelFile). */
  modelFile?: string;
  /** The offline backend's threads (`--workers`, else the config's offline.workers, else none). */
  workers?: number;
  /** Told about input a backend had to leave out (a bad line in an example pool). */
  onProblem?: (p: Problem) => void;
  /** `--batch`: model requests go through the provider's Batch API. */
  batch?: boolean;
  /** Where a backend says what it is doing beyond the run's events (batch mode's submissions). */
  log?: (line: string) => void;
}

export const BACKENDS = ['offline', 'openai'] as const;

/**
 * The backend a command runs when neither the flag nor the config names one: the model server a
 * configured endpoint points at (OPENAI_BASE_URL, or openai.baseURL in the config), else the offline
 * backend. An API key alone never chooses: keys sit in many shells, and a run should not start paying
 * for calls nobody asked for. `endpoint` says where the choice came from, for the command's first line.
 */
export function defaultBackend(
  config: Config,
  env: Record<string, string | undefined> = process.env,
): { backend: (typeof BACKENDS)[number]; endpoint: string | null } {
  const url = env.OPENAI_BASE_URL?.trim();
  if (url) return { backend: 'openai', endpoint: `OPENAI_BASE_URL ${url}` };
  if (config.openai.baseURL) return { backend: 'openai', endpoint: `openai.baseURL ${config.openai.baseURL}` };
  return { backend: 'offline', endpoint: null };
}

/** The one place a backend name becomes a backend. */
export async function createBackend(opts: BackendOptions): Promise<Backend> {
  switch (opts.backend) {
    case 'offline':
      if (opts.batch) throw new Error('--batch needs a model backend (--backend openai); the offline backend makes no requests');
      return new OfflineBackend({
        modelFile: opts.modelFile ?? opts.config?.offline.modelFile ?? undefined,
        workers: opts.workers ?? opts.config?.offline.workers ?? 1,
        workerHeapMb: opts.config?.offline.workerHeapMb,
        workersAfterJobs: opts.config?.offline.workersAfterJobs,
        log: opts.log,
      });
    case 'openai': {
      if (opts.modelFile)
        throw new Error("--model-file is the offline backend's (a model written by failscope learn); the openai backend takes --model");
      if (opts.workers && opts.workers > 1)
        throw new Error("--workers is the offline backend's (threads for its own CPU work); the openai backend takes --concurrency");
      // Loaded only when chosen: an offline run never loads the client or the tokenizer tables.
      const { OpenAIBackend, resolveSettings } = await import('./openai/index.ts');
      const backend = await OpenAIBackend.open(
        resolveSettings({ config: opts.config, model: opts.model, cache: opts.cache, batch: opts.batch }),
        { log: opts.log },
      );
      for (const p of backend.problems) opts.onProblem?.(p);
      return backend;
    }
    default:
      throw new Error(`unknown backend "${opts.backend}" (choose one of: ${BACKENDS.join(', ')})`);
  }
}
