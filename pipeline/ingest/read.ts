import { createReadStream } from 'node:fs';
import { open, readdir, readFile, stat } from 'node:fs/promises';
import { basename, extname, join, relative } from 'node:path';
import { createInterface } from 'node:readline';
import { extractHtml } from './html.ts';
import { type RawArticle, slug } from './article.ts';

export interface Problem {
  origin: string;
  reason: string;
}

export type ReadItem = { article: RawArticle } | { problem: Problem };

export interface ReadOptions {
  /** Largest single-document file read whole (txt, md, html, json). */
  maxFileBytes?: number;
  /** Largest line of a JSON Lines file. */
  maxLineBytes?: number;
}

export const SUPPORTED = ['.txt', '.md', '.html', '.htm', '.json', '.jsonl'];
const DEFAULTS = { maxFileBytes: 25 * 1024 * 1024, maxLineBytes: 5 * 1024 * 1024 };

const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;
const problem = (origin: string, reason: string): ReadItem => ({ problem: { origin, reason } });

/** Binary if it has NUL bytes or is not valid UTF-8: such a file is reported, never half-read. */
async function looksBinary(path: string): Promise<boolean> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(8192);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    const head = buf.subarray(0, bytesRead);
    if (head.includes(0)) return true;
    try {
      // Allow a multi-byte character cut at the 8 KB boundary.
      new TextDecoder('utf-8', { fatal: true }).decode(head.subarray(0, Math.max(0, bytesRead - 4)));
      return false;
    } catch {
      return true;
    }
  } finally {
    await fh.close();
  }
}

/** Reads one JSON record into an article, or says what is wrong with it. */
function fromRecord(rec: unknown, origin: string, fallbackId: string): ReadItem {
  if (!rec || typeof rec !== 'object' || Array.isArray(rec)) return problem(origin, 'expected a JSON object with a "text" field');
  const r = rec as Record<string, unknown>;
  const text = typeof r.text === 'string' ? r.text : typeof r.body === 'string' ? r.body : null;
  if (!text || !text.trim()) return problem(origin, 'record has no "text" (or "body") string');
  const str = (v: unknown) => (typeof v === 'string' ? v : null);
  const id = typeof r.id === 'string' || typeof r.id === 'number' ? String(r.id) : fallbackId;
  return { article: { id, url: str(r.url), headline: str(r.headline) ?? str(r.title), source: str(r.source) ?? str(r.outlet), published: str(r.published) ?? str(r.date), text, origin } };
}

async function* readJsonl(path: string, opts: Required<ReadOptions>): AsyncGenerator<ReadItem> {
  const lines = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  let n = 0;
  for await (const line of lines) {
    n++;
    const origin = `${path}:${n}`;
    if (!line.trim()) continue;
    if (Buffer.byteLength(line) > opts.maxLineBytes) { yield problem(origin, `line is ${mb(Buffer.byteLength(line))}, over the ${mb(opts.maxLineBytes)} limit`); continue; }
    let rec: unknown;
    try {
      rec = JSON.parse(line);
    } catch (e) {
      yield problem(origin, `malformed JSON: ${(e as Error).message}`);
      continue;
    }
    yield fromRecord(rec, origin, `${slug(basename(path))}-${n}`);
  }
}

/** Plain text or Markdown: optional front matter, then the first line as headline. */
function readTextDoc(path: string, raw: string): ReadItem {
  // Files saved on Windows end lines with CRLF; front matter and headline splitting expect LF.
  let body = raw.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  const fields: Record<string, string> = {};
  const fm = /^---\n([\s\S]*?)\n---\n/.exec(body);
  if (fm) {
    for (const line of fm[1].split('\n')) {
      const m = /^(\w+):\s*(.*)$/.exec(line);
      if (m) fields[m[1].toLowerCase()] = m[2].replace(/^["']|["']$/g, '');
    }
    body = body.slice(fm[0].length);
  }
  const lines = body.split('\n');
  const firstIdx = lines.findIndex((l) => l.trim());
  const headline = fields.title ?? lines[firstIdx]?.replace(/^#+\s*/, '').trim() ?? '';
  const text = fields.title ? body : lines.slice(firstIdx + 1).join('\n');
  const published = fields.date ?? fields.published ?? /Published on (\d{4}-\d{2}-\d{2})/.exec(body)?.[1] ?? null;
  if (!text.trim()) return problem(path, 'no article text after the headline');
  return { article: { id: fields.id ?? slug(basename(path)), url: fields.url ?? null, headline, source: fields.source ?? null, published, text, origin: path } };
}

async function* readFileItems(path: string, opts: Required<ReadOptions>): AsyncGenerator<ReadItem> {
  const ext = extname(path).toLowerCase();
  if (!SUPPORTED.includes(ext)) { yield problem(path, `unsupported file type "${ext || '(none)'}" (supported: ${SUPPORTED.join(' ')})`); return; }
  let size: number;
  try {
    size = (await stat(path)).size;
    if (size === 0) { yield problem(path, 'empty file'); return; }
    if (await looksBinary(path)) { yield problem(path, 'binary or not UTF-8 text'); return; }
  } catch (e) {
    yield problem(path, `cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    return;
  }
  try {
    if (ext === '.jsonl') { yield* readJsonl(path, opts); return; }
    if (size > opts.maxFileBytes) { yield problem(path, `file is ${mb(size)}, over the ${mb(opts.maxFileBytes)} limit`); return; }
    const raw = await readFile(path, 'utf8');
    if (ext === '.json') {
      let data: unknown;
      try { data = JSON.parse(raw); } catch (e) { yield problem(path, `malformed JSON: ${(e as Error).message}`); return; }
      const list = Array.isArray(data) ? data : data && typeof data === 'object' && Array.isArray((data as { articles?: unknown }).articles) ? (data as { articles: unknown[] }).articles : [data];
      for (let i = 0; i < list.length; i++) yield fromRecord(list[i], list.length > 1 ? `${path}[${i}]` : path, `${slug(basename(path))}-${i + 1}`);
      return;
    }
    if (ext === '.html' || ext === '.htm') {
      const page = extractHtml(raw);
      if (!page.text) { yield problem(path, 'no readable text in the HTML'); return; }
      yield { article: { id: slug(basename(path)), url: page.canonicalUrl, headline: page.title, source: page.siteName, published: page.published, text: page.text, origin: path } };
      return;
    }
    yield readTextDoc(path, raw);
  } catch (e) {
    yield problem(path, `cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/**
 * Reads files and directories (recursively, in name order) into raw articles. Every bad input becomes
 * a problem naming its file (and line), and reading goes on with the rest.
 */
export async function* readInputs(paths: string[], options: ReadOptions = {}): AsyncGenerator<ReadItem> {
  const opts = { ...DEFAULTS, ...options };
  for (const p of paths) {
    let isDir = false;
    try {
      isDir = (await stat(p)).isDirectory();
    } catch (e) {
      yield problem(p, `cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      continue;
    }
    if (!isDir) { yield* readFileItems(p, opts); continue; }
    const entries = (await readdir(p, { recursive: true, withFileTypes: true }))
      // Symlinks are followed (a dangling one is reported, not silently passed over).
      .filter((d) => (d.isFile() || d.isSymbolicLink()) && SUPPORTED.includes(extname(d.name).toLowerCase()) && !/^readme\.md$/i.test(d.name))
      .map((d) => join(d.parentPath ?? p, d.name))
      .sort((a, b) => relative(p, a).localeCompare(relative(p, b)));
    // Asked for input and given none: say so (a mistyped path, or a directory named like a file).
    if (entries.length === 0) yield problem(p, `directory holds no ${SUPPORTED.join(' ')} files`);
    for (const f of entries) yield* readFileItems(f, opts);
  }
}
