import { createReadStream } from 'node:fs';

export type Line = { n: number; bytes: Buffer } | { n: number; tooLong: number };

/**
 * The lines of a file (or of its content, already read) as bytes, so each can be checked as UTF-8 on
 * its own, and never more than `maxBytes` of one line held: a longer line is passed over up to its end and reported with its
 * length. (readline holds a whole line, however long, and decodes the stream as one.)
 */
export async function* readLines(source: string | Buffer, maxBytes: number): AsyncGenerator<Line> {
  let parts: Buffer[] = [];
  let size = 0;
  let n = 0;
  const line = (): Line => {
    n++;
    if (size > maxBytes) return { n, tooLong: size };
    const bytes = Buffer.concat(parts);
    return { n, bytes: bytes.at(-1) === 0x0d ? bytes.subarray(0, -1) : bytes };
  };
  const chunks = typeof source === 'string' ? (createReadStream(source) as AsyncIterable<Buffer>) : [source];
  for await (const chunk of chunks) {
    let from = 0;
    while (from < chunk.length) {
      const nl = chunk.indexOf(0x0a, from);
      const piece = chunk.subarray(from, nl < 0 ? chunk.length : nl);
      size += piece.length;
      if (size <= maxBytes) parts.push(piece);
      else parts = [];
      if (nl < 0) break;
      yield line();
      parts = [];
      size = 0;
      from = nl + 1;
    }
  }
  if (size > 0) yield line();
}
