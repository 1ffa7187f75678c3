/**
 * Near-duplicate detection for syndicated copies (the same wire story on several outlets, each with its
 * own headline, intro or footer): MinHash signatures over 5-word shingles, with LSH banding so a new
 * article is compared only with plausible matches, not with every stored one.
 */

export const MINHASH_SIZE = 128;
const BANDS = 32;
const ROWS = MINHASH_SIZE / BANDS;
const SHINGLE = 5;

/** murmur3's 32-bit finaliser: a cheap, well-mixed hash of an integer. */
function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

const SEEDS = Array.from({ length: MINHASH_SIZE }, (_, i) => mix32(0x9e3779b9 + i * 0x7f4a7c15));

export function shingles(text: string): Set<number> {
  const words =
    text
      .toLowerCase()
      .normalize('NFKC')
      .match(/[\p{L}\p{N}]+/gu) ?? [];
  const out = new Set<number>();
  for (let i = 0; i + SHINGLE <= words.length; i++) out.add(fnv1a(words.slice(i, i + SHINGLE).join(' ')));
  if (!out.size && words.length) out.add(fnv1a(words.join(' ')));
  return out;
}

export function minhash(text: string): Uint32Array {
  const sig = new Uint32Array(MINHASH_SIZE).fill(0xffffffff);
  for (const s of shingles(text)) {
    for (let i = 0; i < MINHASH_SIZE; i++) {
      const h = mix32(s ^ SEEDS[i]);
      if (h < sig[i]) sig[i] = h;
    }
  }
  return sig;
}

/** Estimated Jaccard similarity of the two shingle sets. */
export function similarity(a: Uint32Array, b: Uint32Array): number {
  let same = 0;
  for (let i = 0; i < MINHASH_SIZE; i++) if (a[i] === b[i]) same++;
  return same / MINHASH_SIZE;
}

export const toBlob = (sig: Uint32Array) => Buffer.from(sig.buffer, sig.byteOffset, sig.byteLength);
export const fromBlob = (b: Buffer) => new Uint32Array(new Uint8Array(b).buffer);

/** Signatures of stored originals, banded for lookup. */
export class NearDuplicateIndex {
  private readonly sigs = new Map<string, Uint32Array>();
  private readonly buckets = new Map<string, string[]>();

  constructor(private readonly threshold: number) {}

  get size(): number {
    return this.sigs.size;
  }

  add(articleId: string, sig: Uint32Array): void {
    this.sigs.set(articleId, sig);
    for (let b = 0; b < BANDS; b++) {
      const key = `${b}:${sig.subarray(b * ROWS, (b + 1) * ROWS).join(',')}`;
      const list = this.buckets.get(key);
      if (list) list.push(articleId);
      else this.buckets.set(key, [articleId]);
    }
  }

  /** The most similar stored article at or above the threshold, if any. */
  match(sig: Uint32Array): { articleId: string; similarity: number } | null {
    const seen = new Set<string>();
    let best: { articleId: string; similarity: number } | null = null;
    for (let b = 0; b < BANDS; b++) {
      for (const id of this.buckets.get(`${b}:${sig.subarray(b * ROWS, (b + 1) * ROWS).join(',')}`) ?? []) {
        if (seen.has(id)) continue;
        seen.add(id);
        const s = similarity(sig, this.sigs.get(id)!);
        if (s >= this.threshold && (!best || s > best.similarity || (s === best.similarity && id < best.articleId)))
          best = { articleId: id, similarity: s };
      }
    }
    return best;
  }
}
