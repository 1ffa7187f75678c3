/**
 * Oversized inputs for the memory figures, written from the project's own sample text (never benchmark
 * text): a long article just under the default article limit, a 5 MB article, and a JSON Lines file
 * whose second line is 200 MB, between two ordinary records.
 */
import { createWriteStream, readFileSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { IngestConfig } from '../../schemas/index.ts';
import { ROOT } from './child.ts';

interface Rec {
  id: string;
  headline: string;
  text: string;
}
const sample = (): Rec[] =>
  readFileSync(join(ROOT, 'data', 'sample', 'articles.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Rec);

/** Sample articles one after another, numbers shifted on each pass so the text does not simply repeat. */
function longText(bytes: number): string {
  const recs = sample();
  const parts: string[] = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const pass = Math.floor(i / recs.length);
    const p = `${recs[i % recs.length].text.replace(/\d+/g, (d) => String(Number(d) + pass))}\n\n`;
    parts.push(p);
    size += Buffer.byteLength(p);
  }
  return parts.join('').slice(0, bytes).trim();
}

export interface LargeInputs {
  underLimit: string;
  fiveMB: string;
  hugeLine: string;
}

export async function writeLargeInputs(dir: string): Promise<LargeInputs> {
  const headline = 'A long report on failures of software systems';
  const underLimit = join(dir, 'article-under-limit.txt');
  writeFileSync(underLimit, `${headline}\n\n${longText(IngestConfig.parse({}).maxArticleBytes - 1024)}\n`);
  const fiveMB = join(dir, 'article-5mb.txt');
  writeFileSync(fiveMB, `${headline}\n\n${longText(5 * 1024 * 1024)}\n`);
  const hugeLine = join(dir, 'line-200mb.jsonl');
  const [a, b] = sample();
  const out = createWriteStream(hugeLine);
  out.write(`${JSON.stringify(a)}\n{"id": "huge", "text": "`);
  const chunk = 'word '.repeat(200_000);
  for (let i = 0; i < 200; i++) if (!out.write(chunk)) await once(out, 'drain');
  out.end(`"}\n${JSON.stringify(b)}\n`);
  await once(out, 'finish');
  return { underLimit, fiveMB, hugeLine };
}
