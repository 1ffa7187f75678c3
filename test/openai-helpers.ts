import { Config, type OpenAIConfig } from '../schemas/index.ts';
import { OpenAIBackend, resolveSettings } from '../pipeline/backends/openai/index.ts';
import type { Clock } from '../pipeline/backends/openai/limits.ts';
import type { ExamplePool } from '../pipeline/examples/pool.ts';
import type { Store } from '../pipeline/store/store.ts';
import { callContext as portsOf } from '../pipeline/stages/call.ts';

/** A clock that only moves when something sleeps: waits are recorded, never spent. */
export function virtualClock(): Clock & { sleeps: number[] } {
  let t = 1_700_000_000_000;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => t,
    sleep: async (ms) => {
      sleeps.push(ms);
      t += ms;
    },
  };
}

/**
 * An openai backend on a virtual clock, with limits high enough not to pace anything unless asked. The
 * pre-filter is off unless asked for, so every question reaches the server.
 */
export function testBackend(
  baseURL: string,
  over: Partial<OpenAIConfig> = {},
  opts: { cache?: boolean; examples?: ExamplePool; batch?: boolean; log?: (line: string) => void } = {},
) {
  const clock = virtualClock();
  const config = Config.parse({
    openai: { baseURL, rpm: 1_000_000, tpm: 100_000_000, maxRetries: 3, maxReasks: 2, prefilter: null, ...over },
  });
  const settings = resolveSettings({ config, env: { OPENAI_API_KEY: 'sk-test' }, cache: opts.cache, batch: opts.batch });
  return { backend: new OpenAIBackend(settings, { clock, random: () => 0.5, examples: opts.examples, log: opts.log }), clock };
}

/** A new run's call context: the store's model-call ports, as a stage hands them to a backend. */
export function callContext(store: Store, subject = 'subject-1') {
  const run = store.runs.start({ backend: 'openai', model: 'gpt-4o-mini', concurrency: 1, cache: true });
  return portsOf(store, run.id, subject);
}
