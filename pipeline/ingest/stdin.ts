import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** The path that names standard input, as in most command-line tools. */
export const STDIN = '-';

/**
 * What piped input is, from how it starts: JSON Lines (a record per line), JSON, a saved page, or text.
 * A story pasted as text is read as a `.txt` file would be.
 */
export function stdinKind(head: string): '.jsonl' | '.json' | '.html' | '.txt' {
  const text = head.replace(/^\uFEFF/, '').trimStart();
  if (text.startsWith('<')) return '.html';
  if (text.startsWith('[')) return '.json';
  if (!text.startsWith('{')) return '.txt';
  // A second line opening a record: one record per line.
  return /\n\s*\{/.test(text) ? '.jsonl' : '.json';
}

/**
 * Spools standard input to a file named for its content (`stdin-<hash>.jsonl`), so the file readers,
 * with their limits and line numbers, read it as any file; the same input piped twice is the same
 * file, and the ids made from its name are the same. `cleanup` removes the spool.
 */
export async function spoolStdin(input: Readable = process.stdin): Promise<{ file: string; name: string; cleanup(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'failscope-stdin-'));
  const spool = join(dir, 'spool');
  const hash = createHash('sha256');
  let head = '';
  await pipeline(
    input,
    async function* (chunks: AsyncIterable<Buffer>) {
      for await (const chunk of chunks) {
        hash.update(chunk);
        if (head.length < 4096) head += chunk.toString('utf8', 0, Math.min(chunk.length, 4096));
        yield chunk;
      }
    },
    createWriteStream(spool),
  );
  const name = `stdin-${hash.digest('hex').slice(0, 8)}${stdinKind(head)}`;
  const file = join(dir, name);
  await rename(spool, file);
  return { file, name, cleanup: () => rm(dir, { recursive: true, force: true }) };
}
