import { createHash } from 'node:crypto';

export const sha256 = (s: string | Uint8Array) => createHash('sha256').update(s).digest('hex');

/** Stable JSON (sorted keys) so equal content always hashes equal. */
export function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v)
      .sort()
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${stableJson((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v ?? null);
}

export const hashOf = (v: unknown) => sha256(stableJson(v)).slice(0, 16);

/** Hash of an article's text after whitespace and case folding: the same story re-saved hashes equal. */
export const contentHash = (text: string) => sha256(text.normalize('NFKC').replace(/\s+/g, ' ').trim().toLowerCase());
