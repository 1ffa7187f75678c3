import type { Sentence, Token } from './sentences.ts';

/**
 * A text's sentences packed into bytes: per token the gap since the previous token, its length, its
 * kind and flags, and its part of speech, each usually one byte. The words themselves are the text's own characters, so
 * unpacking against the same text gives back exactly the sentences that were packed, at a few bytes a
 * token instead of a few hundred for the objects.
 */

/** Values seen so far (token kinds, POS tags), each given the next one-byte code. */
function codes(what: string, max: number) {
  const values: string[] = [];
  const code = new Map<string, number>();
  return {
    values,
    of(v: string): number {
      let k = code.get(v);
      if (k === undefined) {
        if (values.length >= max) throw new Error(`packed sentences: more than ${max} ${what} (new: ${v})`);
        k = values.length;
        values.push(v);
        code.set(v, k);
      }
      return k;
    },
  };
}
/** Kind index in the top six bits, stop and negated flags in the low two. */
const kinds = codes('token kinds', 64);
const tags = codes('POS tags', 256);

const codeOf = (t: Token) => (kinds.of(t.kind) << 2) | (t.stop ? 2 : 0) | (t.negated ? 1 : 0);

class Writer {
  bytes = new Uint8Array(256);
  length = 0;

  private room(n: number): void {
    if (this.length + n <= this.bytes.length) return;
    const grown = new Uint8Array(Math.max(this.bytes.length * 2, this.length + n));
    grown.set(this.bytes.subarray(0, this.length));
    this.bytes = grown;
  }

  byte(b: number): void {
    this.room(1);
    this.bytes[this.length++] = b;
  }

  varint(n: number): void {
    this.room(5);
    while (n >= 0x80) {
      this.bytes[this.length++] = (n & 0x7f) | 0x80;
      n >>>= 7;
    }
    this.bytes[this.length++] = n;
  }
}

export function packSentences(sentences: readonly Sentence[]): Uint8Array {
  const w = new Writer();
  w.varint(sentences.length);
  let prevEnd = 0;
  for (const s of sentences) {
    w.varint(s.tokens.length);
    for (const t of s.tokens) {
      w.varint(t.start - prevEnd);
      w.varint(t.end - t.start);
      w.byte(codeOf(t));
      w.byte(tags.of(t.pos));
      prevEnd = t.end;
    }
  }
  return w.bytes.slice(0, w.length);
}

export function unpackSentences(packed: Uint8Array, text: string): Sentence[] {
  let at = 0;
  const varint = () => {
    let n = 0,
      shift = 0,
      b: number;
    do {
      b = packed[at++];
      n += (b & 0x7f) * 2 ** shift;
      shift += 7;
    } while (b & 0x80);
    return n;
  };
  const out: Sentence[] = [];
  let prevEnd = 0;
  for (let count = varint(), i = 0; i < count; i++) {
    const tokens: Token[] = [];
    for (let n = varint(); n > 0; n--) {
      const start = prevEnd + varint();
      const end = start + varint();
      const code = packed[at++],
        pos = tags.values[packed[at++]!]!;
      tokens.push({
        norm: text.slice(start, end).toLowerCase(),
        start,
        end,
        kind: kinds.values[code >> 2]!,
        stop: (code & 2) !== 0,
        negated: (code & 1) !== 0,
        pos,
      });
      prevEnd = end;
    }
    const start = tokens[0].start,
      end = tokens[tokens.length - 1].end;
    out.push({ index: i, start, end, text: text.slice(start, end), tokens });
  }
  return out;
}
