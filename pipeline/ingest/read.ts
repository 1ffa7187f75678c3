import { open, readdir, readFile, stat } from 'node:fs/promises';
import { basename, extname, join, relative, sep } from 'node:path';
import { IngestConfig } from '../../schemas/index.ts';
import { contentHash } from '../text/hash.ts';
import { toIsoDate } from '../text/dates.ts';
import { bomEncoding, decodeBody } from '../text/charset.ts';
import { countWords, extractHtml } from './html.ts';
import { isOwnExport } from '../export/marks.ts';
import { type FileArticle, slug } from './article.ts';
import { readLines } from './lines.ts';
import { decodeFile, decodeRecord, holdsBadBytes, lineList } from './utf8.ts';
import { jsonError } from '../text/json-error.ts';
import { STDIN, spoolStdin } from './stdin.ts';
import { listedLines } from '../collect/url.ts';

export interface Problem {
  origin: string;
  reason: string;
}

/**
 * A problem, or, for a file met in a directory walk that holds no articles by design (gold incidents, an
 * export of records), a file passed over: said once, not as a problem per line.
 */
export type ReadItem = { article: FileArticle } | { problem: Problem } | { passed: Problem };

export type ReadOptions = Partial<IngestConfig>;

export const SUPPORTED = ['.txt', '.md', '.html', '.htm', '.json', '.jsonl'];

const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;
const over = (what: string, n: number, limit: number, key: keyof IngestConfig) =>
  `${what} is ${mb(n)}, over the ${mb(limit)} limit (${key === 'maxArticleBytes' ? '--max-article-bytes, ' : ''}ingest.${key} in the config)`;
const problem = (origin: string, reason: string): ReadItem => ({ problem: { origin, reason } });
const notUtf8 = (lines: readonly number[]) => `not valid UTF-8 (line ${lineList(lines)}); save the file as UTF-8`;

/**
 * What the start of a file says it holds: UTF-16 text, by its byte-order mark (Windows editors save
 * "Unicode" text so, full of NUL bytes), else binary if it has NUL bytes near the start (reported, never
 * half-read), else text to read as UTF-8.
 */
async function sniff(path: string): Promise<'utf-16le' | 'utf-16be' | 'binary' | 'text'> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(8192);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    const head = buf.subarray(0, bytesRead);
    const bom = bomEncoding(head);
    if (bom === 'utf-16le' || bom === 'utf-16be') return bom;
    return head.includes(0) ? 'binary' : 'text';
  } finally {
    await fh.close();
  }
}

/**
 * Where records keep their article text, headline, date and outlet: the benchmark format's names, then
 * those of common news APIs and scrapers (NewsAPI's `content`, `publishedAt` and `source.name`).
 */
const FIELDS = {
  text: ['text', 'body', 'content'],
  headline: ['headline', 'title'],
  published: ['published', 'date', 'publishedAt', 'published_at', 'pubDate'],
  source: ['source', 'outlet'],
} as const;
const TEXT_NAMES = `"text", "body" or "content"`;
const NO_TEXT = `record has no ${TEXT_NAMES} string`;
/** NewsAPI and the like cut `content` short and say by how much: such text is a teaser, not the article. */
const CUT_OFF = /\[\+\d+ char(?:s|acters)?\]\s*$/;

/** An incident record (gold, or failscope's own export) lists its articles and has no text of its own. */
const isIncidentRecord = (rec: unknown) =>
  !!rec &&
  typeof rec === 'object' &&
  Array.isArray((rec as { articleIds?: unknown }).articleIds) &&
  FIELDS.text.every((k) => typeof (rec as Record<string, unknown>)[k] !== 'string');

/** A file, or part of one, that holds no articles by design: passed over in a directory walk, refused when named. */
const notArticles = (origin: string, reason: string, named: boolean): ReadItem =>
  named ? problem(origin, reason) : { passed: { origin, reason } };
const incidentRecords = (path: string, count: number, where: string, named: boolean) =>
  notArticles(
    path,
    `${count} incident record(s) (${where}): an "articleIds" list and no text, so not articles; gold incidents are scored with \`failscope eval --gold <folder>\` and learned from with \`failscope learn --gold <folder>\``,
    named,
  );
const OWN_EXPORT = "failscope's own output (an exported record or report), not an article";

/**
 * A record's date as given: text as it is, a number as Unix time (seconds; milliseconds past 1e11, as
 * JavaScript writes them). Anything else is passed on as written, so ingest names it as no date it can read
 * rather than dropping it unsaid.
 */
function dateOf(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) {
    const ms = v > 1e11 ? v : v * 1000;
    if (Math.abs(ms) <= 8.64e15) return new Date(ms).toISOString();
  }
  return JSON.stringify(v);
}

/**
 * A file's records without text, held back until the file shows an article: a file none of whose records
 * has text (predictions, metrics, another tool's data) is one problem, not one per record.
 */
async function* textlessAsOne(path: string, items: AsyncIterable<ReadItem> | Iterable<ReadItem>): AsyncGenerator<ReadItem> {
  let held: Problem[] | null = [];
  for await (const item of items) {
    if (held && 'problem' in item && item.problem.reason.startsWith(NO_TEXT)) {
      held.push(item.problem);
      continue;
    }
    if (held && 'article' in item) {
      for (const p of held) yield { problem: p };
      held = null;
    }
    yield item;
  }
  if (!held?.length) return;
  if (held.length === 1) yield { problem: held[0]! };
  else {
    const where = held.map((p) => p.origin.slice(path.length));
    const lines = where.every((w) => w.startsWith(':')) ? `line ${lineList(where.map((w) => w.slice(1)))}` : lineList(where);
    yield problem(path, `no record has a ${TEXT_NAMES} string (${held.length} records, ${lines}), so it holds no articles`);
  }
}

/**
 * Reads one JSON record into an article, or says what is wrong with it. A record without an id is named
 * after its file and its text, so records of two files (or two lines) never share a name by accident.
 */
function fromRecord(rec: unknown, origin: string, file: string, maxArticleBytes: number): ReadItem {
  if (!rec || typeof rec !== 'object' || Array.isArray(rec)) return problem(origin, 'expected a JSON object with a "text" field');
  const r = rec as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === 'string' ? v : null);
  const first = <T>(names: readonly string[], read: (v: unknown) => T | null) =>
    names.reduce<T | null>((found, k) => found ?? read(r[k]), null);
  const text = first(FIELDS.text, (v) => (typeof v === 'string' && v.trim() ? v : null));
  // The keys say where the text is when it goes by another name ("article_text"), or sits deeper ("data").
  if (!text) {
    // A field that is there but blank is named as such: its keys alone would list it as if it held text.
    const blank = FIELDS.text.find((k) => typeof r[k] === 'string');
    const why = blank ? `its "${blank}" is empty` : `its keys: ${Object.keys(r).slice(0, 8).join(', ') || 'none'}`;
    return problem(origin, `${NO_TEXT} (${why})`);
  }
  const url = str(r.url);
  if (CUT_OFF.test(text))
    return problem(
      origin,
      `the text is cut off ("${CUT_OFF.exec(text)![0].trim()}", as news APIs give a teaser): ${url ? `\`failscope collect ${url}\`` : '`failscope collect <its url>`'} fetches the whole article`,
    );
  const size = Buffer.byteLength(text);
  if (size > maxArticleBytes) return problem(origin, over('the article text', size, maxArticleBytes, 'maxArticleBytes'));
  const given = typeof r.id === 'string' || typeof r.id === 'number' ? String(r.id) : null;
  const id = given ?? `${slug(basename(file))}-${contentHash(text).slice(0, 10)}`;
  return {
    article: {
      id,
      idGiven: given !== null,
      file,
      url,
      headline: first(FIELDS.headline, str),
      // NewsAPI's source is {id, name}.
      source: first(FIELDS.source, (v) => str(v) ?? str((v as { name?: unknown } | null)?.name)),
      published: first(FIELDS.published, dateOf),
      text,
      origin,
    },
  };
}

/** `bytes`: the file's content as UTF-8 when it was not so on disk (UTF-16); else its lines are streamed. */
async function* readJsonl(path: string, opts: IngestConfig, named: boolean, bytes?: Buffer): AsyncGenerator<ReadItem> {
  const incidents: number[] = [];
  for await (const line of readLines(bytes ?? path, opts.maxArticleBytes)) {
    const origin = `${path}:${line.n}`;
    if ('tooLong' in line) {
      yield problem(origin, over('line', line.tooLong, opts.maxArticleBytes, 'maxArticleBytes'));
      continue;
    }
    const text = decodeRecord(line.bytes);
    if (text === null) {
      yield problem(origin, 'not valid UTF-8; save the file as UTF-8');
      continue;
    }
    if (!text.trim()) continue;
    let rec: unknown;
    try {
      rec = JSON.parse(text);
    } catch (e) {
      yield problem(origin, `malformed JSON: ${(e as Error).message}`);
      continue;
    }
    if (isIncidentRecord(rec)) incidents.push(line.n);
    else yield fromRecord(rec, origin, path, opts.maxArticleBytes);
  }
  if (incidents.length) yield incidentRecords(path, incidents.length, `line ${lineList(incidents)}`, named);
}

/** A .json file: one object, an array, or {"articles": […]}; a record holding bytes that are not UTF-8 is left out. */
function* readJsonDoc(path: string, raw: string, badLines: number[], opts: IngestConfig, named: boolean): Generator<ReadItem> {
  let data: unknown;
  try {
    data = JSON.parse(raw);
  } catch (e) {
    yield problem(
      badLines.length ? `${path}:${badLines[0]}` : path,
      badLines.length ? notUtf8(badLines) : `malformed JSON: ${jsonError(raw, e)}`,
    );
    return;
  }
  // failscope's JSON export wraps its records as {"incidents": […]}.
  const wrapped = (key: string) => (data && typeof data === 'object' ? (data as Record<string, unknown>)[key] : undefined);
  const list = Array.isArray(data)
    ? data
    : Array.isArray(wrapped('articles'))
      ? (wrapped('articles') as unknown[])
      : Array.isArray(wrapped('incidents'))
        ? (wrapped('incidents') as unknown[])
        : [data];
  const incidents: string[] = [];
  for (let i = 0; i < list.length; i++) {
    const origin = list.length > 1 ? `${path}[${i}]` : path;
    if (holdsBadBytes(list[i])) yield problem(origin, notUtf8(badLines));
    else if (isIncidentRecord(list[i])) incidents.push(`[${i}]`);
    else yield fromRecord(list[i], origin, path, opts.maxArticleBytes);
  }
  if (incidents.length) yield incidentRecords(path, incidents.length, lineList(incidents), named);
}

/**
 * How many web addresses a file lists when that is all it holds (read as collect reads a URL list), else
 * 0: read as a story, its first address would be the headline.
 */
function urlList(raw: string): number {
  const lines = listedLines(raw);
  return lines.length && lines.every((l) => /^https?:\/\/\S+$/i.test(l.entry)) ? lines.length : 0;
}

const DATE_LINE = /^\s*(?:published|posted|updated|date)(?:\s+on)?\s*:?\s+(.{6,40}?)\.?\s*$/i;

/**
 * The date a story pasted without front matter gives on a line of its own at the top ("Published:
 * 2025-03-14", "Date: March 14, 2025"), as written; a line that reads as no date ("Updated 3 hours ago") is
 * none. The line stays in the text, as a "Published on" line does.
 */
function dateLine(text: string): string | null {
  for (const line of text
    .split('\n')
    .filter((l) => l.trim())
    .slice(0, 3)) {
    const m = DATE_LINE.exec(line);
    if (m && toIsoDate(m[1])) return m[1]!;
  }
  return null;
}

/** Plain text or Markdown: optional front matter, then the first line as headline (a lone paragraph: its first sentence). */
function readTextDoc(path: string, raw: string): ReadItem {
  // Files saved on Windows end lines with CRLF; front matter and headline splitting expect LF.
  let body = raw.replace(/\r\n?/g, '\n');
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
  let headline = fields.title ?? lines[firstIdx]?.replace(/^#+\s*/, '').trim() ?? '';
  let text = fields.title ? body : lines.slice(firstIdx + 1).join('\n');
  // A pasted story with no headline line is one paragraph of several sentences: all text, its lead the headline.
  const lead = !fields.title && !text.trim() ? /^(.{20,160}?[.!?])\s+\S/.exec(headline) : null;
  if (lead) {
    text = headline;
    headline = lead[1];
  }
  const published = fields.date ?? fields.published ?? dateLine(text) ?? /Published on (\d{4}-\d{2}-\d{2})/.exec(body)?.[1] ?? null;
  if (!text.trim()) return problem(path, 'no article text after the headline');
  return {
    article: {
      id: fields.id ?? slug(basename(path)),
      idGiven: fields.id !== undefined,
      file: path,
      url: fields.url ?? null,
      headline,
      source: fields.source ?? null,
      published,
      text,
      origin: path,
    },
  };
}

/** A saved page as an article: its readable text (Readability), title, date, site and canonical URL. */
function fromHtml(path: string, html: string, opts: IngestConfig): ReadItem {
  const page = extractHtml(html);
  if (!page.text) return problem(path, 'no readable text in the HTML');
  const words = countWords(page.text);
  if (words < opts.minPageWords)
    return problem(
      path,
      `${words} words of article text, fewer than ${opts.minPageWords} (a paywall, cookie wall or index page?); ingest.minPageWords in the config sets the floor`,
    );
  const textSize = Buffer.byteLength(page.text);
  if (textSize > opts.maxArticleBytes) return problem(path, over('the article text', textSize, opts.maxArticleBytes, 'maxArticleBytes'));
  return {
    article: {
      id: slug(basename(path)),
      idGiven: false,
      file: path,
      url: page.canonicalUrl,
      headline: page.title,
      source: page.siteName,
      published: page.published,
      text: page.text,
      origin: path,
    },
  };
}

/** `named`: the file was given itself, not found in a directory. */
async function* readFileItems(path: string, opts: IngestConfig, named: boolean): AsyncGenerator<ReadItem> {
  const ext = extname(path).toLowerCase();
  if (!SUPPORTED.includes(ext)) {
    // A table of articles is a common way to hold a collection: say how to turn it into one that is read.
    const table = ['.csv', '.tsv', '.xlsx', '.xls', '.ods'].includes(ext)
      ? `; a table of articles reads as JSON Lines, one object per row with a "text" column (from CSV: python3 -c 'import csv,json,sys; [print(json.dumps(r)) for r in csv.DictReader(sys.stdin)]' < ${basename(path)} > articles.jsonl)`
      : '';
    yield problem(path, `unsupported file type "${ext || '(none)'}" (supported: ${SUPPORTED.join(' ')})${table}`);
    return;
  }
  let size: number;
  let kind: Awaited<ReturnType<typeof sniff>>;
  try {
    size = (await stat(path)).size;
    if (size === 0) {
      yield problem(path, 'empty file');
      return;
    }
    kind = await sniff(path);
    if (kind === 'binary') {
      yield problem(path, 'binary, not text');
      return;
    }
  } catch (e) {
    yield problem(path, `cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    return;
  }
  try {
    // UTF-16 text is read as the UTF-8 it stands for; such a file is held whole, so the whole-file limit applies.
    let utf8: Buffer | undefined;
    if (kind !== 'text') {
      if (size > opts.maxFileBytes) {
        yield problem(path, over('UTF-16 file', size, opts.maxFileBytes, 'maxFileBytes'));
        return;
      }
      utf8 = Buffer.from(new TextDecoder(kind).decode(await readFile(path)), 'utf8');
    }
    if (ext === '.jsonl') {
      yield* textlessAsOne(path, readJsonl(path, opts, named, utf8));
      return;
    }
    const whole = ext === '.json' || ext === '.html' || ext === '.htm';
    const limit = whole ? opts.maxFileBytes : opts.maxArticleBytes;
    if (size > limit) {
      yield problem(path, over('file', size, limit, whole ? 'maxFileBytes' : 'maxArticleBytes'));
      return;
    }
    const bytes = utf8 ?? (await readFile(path));
    if (ext === '.html' || ext === '.htm') {
      // As a browser reads a saved page: its declared charset (an archived page is often windows-1252), else UTF-8.
      const html = decodeBody(bytes, null).text;
      yield isOwnExport(html, true) ? notArticles(path, OWN_EXPORT, named) : fromHtml(path, html, opts);
      return;
    }
    const { text: raw, badLines } = decodeFile(bytes);
    if (ext === '.json') {
      yield* textlessAsOne(path, readJsonDoc(path, raw, badLines, opts, named));
      return;
    }
    // A single-article file is one record: a bad byte anywhere leaves it out, named by its first bad line.
    if (badLines.length) {
      yield problem(`${path}:${badLines[0]}`, notUtf8(badLines));
      return;
    }
    const urls = urlList(raw);
    yield isOwnExport(raw, false)
      ? notArticles(path, OWN_EXPORT, named)
      : urls
        ? notArticles(
            path,
            `a list of ${urls} web address(es), not an article: \`failscope collect --urls-file ${path}\` fetches them`,
            named,
          )
        : readTextDoc(path, raw);
  } catch (e) {
    yield problem(path, `cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/**
 * `-`: what is piped in, read as a file named for its content (stdin.ts), and named so in every message
 * (`stdin-1a2b3c4d.jsonl:7`).
 */
async function* readStdin(opts: IngestConfig): AsyncGenerator<ReadItem> {
  if (process.stdin.isTTY) {
    yield problem(STDIN, 'standard input is a terminal: pipe articles in (`cat articles.jsonl | failscope run -`)');
    return;
  }
  const spooled = await spoolStdin();
  const named = (s: string) => (s.startsWith(spooled.file) ? spooled.name + s.slice(spooled.file.length) : s);
  try {
    for await (const item of readFileItems(spooled.file, opts, true)) {
      if ('article' in item) yield { article: { ...item.article, origin: named(item.article.origin), file: named(item.article.file) } };
      else if ('problem' in item) yield problem(named(item.problem.origin), item.problem.reason.replaceAll(spooled.file, spooled.name));
      else yield { passed: { origin: named(item.passed.origin), reason: item.passed.reason.replaceAll(spooled.file, spooled.name) } };
    }
  } finally {
    await spooled.cleanup();
  }
}

/**
 * Reads files and directories (recursively, in name order) into raw articles. Every bad input becomes
 * a problem naming its file (and line), and reading goes on with the rest.
 */
export async function* readInputs(paths: string[], options: ReadOptions = {}): AsyncGenerator<ReadItem> {
  const opts = IngestConfig.parse(options);
  for (const p of paths) {
    if (p === STDIN) {
      yield* readStdin(opts);
      continue;
    }
    let isDir = false;
    try {
      isDir = (await stat(p)).isDirectory();
    } catch (e) {
      yield problem(p, `cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      continue;
    }
    if (!isDir) {
      yield* readFileItems(p, opts, true);
      continue;
    }
    const entries = (await readdir(p, { recursive: true, withFileTypes: true }))
      // Symlinks are followed (a dangling one is reported, not silently passed over).
      .filter(
        (d) => (d.isFile() || d.isSymbolicLink()) && SUPPORTED.includes(extname(d.name).toLowerCase()) && !/^readme\.md$/i.test(d.name),
      )
      .map((d) => join(d.parentPath ?? p, d.name))
      // Hidden folders (.git, .cache) and installed packages (node_modules) hold no news, only files that look like it.
      .filter(
        (f) =>
          !relative(p, f)
            .split(sep)
            .some((part) => part.startsWith('.') || part === 'node_modules'),
      )
      .sort((a, b) => relative(p, a).localeCompare(relative(p, b)));
    // Asked for input and given none: say so (a mistyped path, or a directory named like a file).
    if (entries.length === 0) yield problem(p, `directory holds no ${SUPPORTED.join(' ')} files`);
    for (const f of entries) yield* readFileItems(f, opts, false);
  }
}
