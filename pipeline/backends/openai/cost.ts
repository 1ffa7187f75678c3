import { DEFAULT_PRICES, type ModelPrice } from '../../../schemas/index.ts';

export interface TokenUsage {
  promptTokens: number;
  completionTokens: number;
  /** Prompt tokens the provider served from its own prompt cache (billed at the cached-input price). */
  cachedTokens: number;
}

/** The price of a model: its own entry, else the longest listed prefix (dated snapshots share a price). */
export function priceFor(model: string, overrides: Record<string, ModelPrice> = {}): ModelPrice | null {
  const table = { ...DEFAULT_PRICES, ...overrides };
  if (table[model]) return table[model];
  const prefix = Object.keys(table)
    .filter((k) => model.startsWith(k))
    .sort((a, b) => b.length - a.length)[0];
  return prefix ? table[prefix] : null;
}

/** US dollars; 0 when the model has no price (a local server). */
export function costOf(u: TokenUsage, price: ModelPrice | null): number {
  if (!price) return 0;
  const cached = Math.min(u.cachedTokens, u.promptTokens);
  return ((u.promptTokens - cached) * price.input + cached * price.cachedInput + u.completionTokens * price.output) / 1_000_000;
}
