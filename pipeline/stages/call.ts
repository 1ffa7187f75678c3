import type { CallContext } from '../backends/backend.ts';
import type { Store } from '../store/store.ts';

/** A backend sees only the store's model-call ports, never the store itself. */
export function callContext(store: Store, runId: string, subject: string): CallContext {
  const calls = store.modelCalls;
  return { cache: calls, usage: calls, quoteChecks: calls, decisions: store.prefilter, batches: store.batches, runId, subject };
}
