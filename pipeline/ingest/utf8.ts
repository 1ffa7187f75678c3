import { isUtf8 } from 'node:buffer';

// The default (ignoreBOM: false) drops a leading byte-order mark, which JSON.parse would choke on.
const strict = new TextDecoder('utf-8', { fatal: true });
const lenient = new TextDecoder('utf-8');

/** One record's bytes as text, or null when they are not UTF-8; a leading BOM is dropped. */
export function decodeRecord(bytes: Uint8Array): string | null {
  try {
    return strict.decode(bytes);
  } catch {
    return null;
  }
}

/** A whole file's text, and the (1-based) lines holding bytes that are not UTF-8, if any. */
export function decodeFile(bytes: Buffer): { text: string; badLines: number[] } {
  if (isUtf8(bytes)) return { text: strict.decode(bytes), badLines: [] };
  const badLines: number[] = [];
  const lines: string[] = [];
  let from = 0;
  for (let n = 1; from <= bytes.length; n++) {
    const nl = bytes.indexOf(0x0a, from);
    const end = nl < 0 ? bytes.length : nl;
    const line = bytes.subarray(from, end);
    const text = decodeRecord(line);
    if (text === null) badLines.push(n);
    // A lone surrogate never comes out of decoding UTF-8, so it marks exactly where the bad bytes were.
    lines.push(text ?? lenient.decode(line).replace(/\uFFFD/g, BAD));
    from = end + 1;
  }
  return { text: lines.join('\n'), badLines };
}

/** Stands where a file had bytes that are not UTF-8 (see decodeFile). */
export const BAD = '\uD800';

/** Whether a value read from a file with bad bytes holds any of them. */
export function holdsBadBytes(value: unknown): boolean {
  if (typeof value === 'string') return value.includes(BAD);
  if (Array.isArray(value)) return value.some(holdsBadBytes);
  return !!value && typeof value === 'object' && Object.values(value).some(holdsBadBytes);
}

export const lineList = (lines: readonly (number | string)[]) =>
  lines.length > 5 ? `${lines.slice(0, 5).join(', ')} …` : lines.join(', ');
