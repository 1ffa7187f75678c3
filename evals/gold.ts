import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { z } from 'zod';
import { type Article, GoldArticle, GoldIncident } from '../schemas/index.ts';
import { toArticle } from '../pipeline/ingest/article.ts';
import { hashOf } from '../pipeline/text/hash.ts';

export interface GoldProblem {
  origin: string;
  reason: string;
}

/** Which anchor the set can be compared with: FAIL's dev split, Ko's stories, or neither. */
export type GoldKind = 'fail' | 'ko' | 'other';

export interface GoldSet {
  name: string;
  dir: string;
  /** Hash of the articles and incidents read: two evals are comparable only over the same gold. */
  hash: string;
  kind: GoldKind;
  articlesFile: string;
  articles: GoldArticle[];
  incidents: GoldIncident[];
  problems: GoldProblem[];
}

/** One schema-checked record a line; bad lines go to `problems` with file and line, the rest are read. */
export async function readJsonl<T>(file: string, schema: z.ZodType<T>, problems: GoldProblem[]): Promise<T[]> {
  return (await readJsonlLines(file, schema, problems)).map((r) => r.value);
}

/** readJsonl, each record with its line, for problems found once records are compared with each other. */
async function readJsonlLines<T>(file: string, schema: z.ZodType<T>, problems: GoldProblem[]): Promise<{ value: T; line: number }[]> {
  const out: { value: T; line: number }[] = [];
  const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  let n = 0;
  for await (const line of lines) {
    n++;
    if (!line.trim()) continue;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch (e) {
      problems.push({ origin: `${file}:${n}`, reason: `malformed JSON: ${(e as Error).message}` });
      continue;
    }
    const parsed = schema.safeParse(raw);
    if (!parsed.success) {
      problems.push({
        origin: `${file}:${n}`,
        reason: parsed.error.issues.map((i) => `${i.path.join('.') || '(record)'}: ${i.message}`).join('; '),
      });
      continue;
    }
    out.push({ value: parsed.data, line: n });
  }
  return out;
}

/**
 * Reads a gold directory: `articles.jsonl` (required) and `incidents.jsonl` (optional), in the shared
 * benchmarks' format. Bad lines are reported with file and line and left out; the rest is scored.
 */
export async function loadGold(dir: string): Promise<GoldSet> {
  const abs = resolve(dir);
  const articlesFile = join(abs, 'articles.jsonl');
  if (!existsSync(articlesFile)) {
    // An eval's output is easily given in place of its gold: name the gold it scored.
    let scored: string | null = null;
    try {
      scored = (JSON.parse(readFileSync(join(abs, 'metrics.json'), 'utf8')) as { goldSet?: { dir?: string } }).goldSet?.dir ?? null;
    } catch {
      // no eval output here either
    }
    throw new Error(
      `${articlesFile}: not found (a gold directory holds articles.jsonl and, optionally, incidents.jsonl${scored ? `; ${dir} is the output of an eval of the gold in ${scored}` : ''})`,
    );
  }
  const problems: GoldProblem[] = [];
  const seen = new Set<string>();
  // Each problem names its line: two records can be wrong in the same way, and each must be found.
  const leftOut = (file: string, line: number, reason: string) => {
    problems.push({ origin: `${file}:${line}`, reason: `${reason}; it is left out` });
    return false;
  };
  const articles = (await readJsonlLines(articlesFile, GoldArticle, problems))
    .filter(({ value: a, line }) => {
      if (seen.has(a.id)) return leftOut(articlesFile, line, `article id "${a.id}" appears twice`);
      seen.add(a.id);
      return true;
    })
    .map((r) => r.value);
  const incidentsFile = join(abs, 'incidents.jsonl');
  const claimed = new Map<string, string>();
  const ids = new Set<string>();
  const incidents = existsSync(incidentsFile)
    ? (await readJsonlLines(incidentsFile, GoldIncident, problems))
        .filter(({ value: inc, line }) => {
          if (ids.has(inc.id)) return leftOut(incidentsFile, line, `incident id "${inc.id}" appears twice`);
          ids.add(inc.id);
          const missing = inc.articleIds.filter((id) => !seen.has(id));
          if (missing.length)
            return leftOut(incidentsFile, line, `incident "${inc.id}" names articles not in articles.jsonl (${missing.join(', ')})`);
          const shared = inc.articleIds.filter((id) => claimed.has(id));
          if (shared.length)
            return leftOut(
              incidentsFile,
              line,
              `incident "${inc.id}" shares articles with "${claimed.get(shared[0])}" (${shared.join(', ')})`,
            );
          for (const id of inc.articleIds) claimed.set(id, inc.id);
          return true;
        })
        .map((r) => r.value)
    : [];
  const kind: GoldKind = articles.some((a) => a.gold.storyId !== undefined)
    ? 'ko'
    : articles.some((a) => a.reference) || incidents.some((i) => i.reference)
      ? 'fail'
      : 'other';
  return { name: basename(abs), dir: abs, hash: hashOf({ articles, incidents }), kind, articlesFile, articles, incidents, problems };
}

/**
 * The gold cluster an article belongs to, or null when it belongs to none: FAIL-format sets use
 * `incidentId`; Ko's stories use `storyId` for articles that are `relevantToStory`. Off-topic Ko
 * articles, non-failures and failures outside every gold incident all return null.
 */
export function goldClusterOf(a: GoldArticle): string | null {
  if (a.gold.incidentId) return a.gold.incidentId;
  if (a.gold.storyId && a.gold.relevantToStory === true) return a.gold.storyId;
  return null;
}

/** A gold incident's articles as the pipeline reads them (those the gold set lacks left out). */
export function articlesOf(gold: GoldSet): (inc: Pick<GoldIncident, 'articleIds'>) => Article[] {
  const byId = new Map(gold.articles.map((a) => [a.id, a]));
  return (inc) =>
    inc.articleIds.flatMap((id) => {
      const a = byId.get(id);
      return a ? [toArticle({ ...a, origin: gold.name })] : [];
    });
}
