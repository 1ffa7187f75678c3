import type { Config } from '../../schemas/index.ts';
import type { Backend } from './backend.ts';
import { OfflineBackend } from './offline/index.ts';

export interface BackendOptions {
  backend: string;
  model?: string;
  config?: Config;
}

export const BACKENDS = ['offline', 'openai'] as const;

/** The one place a backend name becomes a backend. */
export async function createBackend(opts: BackendOptions): Promise<Backend> {
  switch (opts.backend) {
    case 'offline':
      return new OfflineBackend(opts.model);
    case 'openai':
      throw new Error('the openai backend is not built yet');
    default:
      throw new Error(`unknown backend "${opts.backend}" (choose one of: ${BACKENDS.join(', ')})`);
  }
}
