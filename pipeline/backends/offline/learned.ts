import { OfflineModel } from './model.ts';
import MODEL_FILE from './model.json' with { type: 'json' };

/**
 * The learned weights, from text written for the project (data/train), never from the benchmarks.
 * Checked on load, so a hand-edited or stale file fails loudly instead of deciding quietly wrong.
 */
export const MODEL: OfflineModel = OfflineModel.parse(MODEL_FILE);
