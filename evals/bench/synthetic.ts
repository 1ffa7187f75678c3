/**
 * Synthetic corpora for the scale benchmark, made from the project's own text (data/sample, data/train;
 * never benchmark text). Each replica copies every source incident and stand-alone article with its
 * proper names and rare words swapped for made-up words (the same swap throughout one replica, so an
 * incident's articles still share their organisation, system and vocabulary) and its years moved by up
 * to two decades, so copies are different stories at different times, not duplicates. Incidents keep
 * their several articles and their gold grouping, which the benchmark scores.
 */
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

const SOURCES = ['data/sample', 'data/train'];
/** A lower-case word in at most this many source articles is rare: it tells one story from another. */
const RARE_DF = 3;
const MIN_RARE_LENGTH = 5;
/** Replicas are spread over this many years before the source dates. */
const YEAR_SPREAD = 20;

const SourceArticle = z.object({
  id: z.string(),
  url: z.string().nullable().optional(),
  headline: z.string(),
  source: z.string().nullable().optional(),
  published: z.string().nullable().optional(),
  text: z.string(),
  gold: z.object({ incidentId: z.string().nullable().optional() }).passthrough().nullable().optional(),
});
type SourceArticle = z.infer<typeof SourceArticle>;

function articleFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) return name === 'agreement' ? [] : articleFiles(p);
      return name === 'articles.jsonl' ? [p] : [];
    });
}

function readSources(root: string): SourceArticle[] {
  return SOURCES.flatMap((d) => articleFiles(join(root, d))).flatMap((file) =>
    readFileSync(file, 'utf8')
      .split('\n')
      .map((line, i) => [line, i + 1] as const)
      .filter(([line]) => line.trim())
      .map(([line, n]) => {
        const parsed = SourceArticle.safeParse(JSON.parse(line));
        if (!parsed.success) throw new Error(`${file}:${n}: not an article: ${parsed.error.message}`);
        return parsed.data;
      }),
  );
}

/** FNV-1a: a stable 32-bit hash, so every run makes the same corpus. */
function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

const CONSONANTS = 'bcdfghklmnprstvz';
const VOWELS = 'aeiou';

/** A pronounceable made-up word about as long as `word`, with its capitalisation. */
function madeUp(word: string, seed: string): string {
  let h = hash32(`${seed}:${word}`);
  let out = '';
  while (out.length < word.length) {
    out += CONSONANTS[h % CONSONANTS.length] + VOWELS[(h >>> 4) % VOWELS.length];
    h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) >>> 0;
  }
  if (word === word.toUpperCase()) return out.toUpperCase();
  return word[0] === word[0].toUpperCase() ? out[0].toUpperCase() + out.slice(1) : out;
}

/** Words to swap: capitalised words never written in lower case (names), and rare lower-case words. */
function swappable(articles: readonly SourceArticle[]): Set<string> {
  const lower = new Map<string, number>();
  const capital = new Set<string>();
  for (const a of articles) {
    const seen = new Set<string>();
    for (const [w] of `${a.headline} ${a.text}`.matchAll(/\b[A-Za-z]+\b/g)) {
      if (/^[A-Z]/.test(w)) capital.add(w);
      else seen.add(w);
    }
    for (const w of seen) lower.set(w, (lower.get(w) ?? 0) + 1);
  }
  const out = new Set<string>();
  for (const w of capital) if (w.length >= 3 && !lower.has(w.toLowerCase())) out.add(w);
  for (const [w, df] of lower) if (df <= RARE_DF && w.length >= MIN_RARE_LENGTH) out.add(w);
  return out;
}

const shiftYear = (s: string, years: number) => s.replace(/\b(19[5-9]\d|20[0-4]\d)\b/g, (y) => String(Number(y) + years));
/** A date moved by whole years; 29 February becomes the 28th when the new year has none. */
function shiftDate(iso: string, years: number): string {
  const moved = shiftYear(iso, years);
  return new Date(Date.parse(moved)).toISOString().startsWith(moved.slice(0, 10)) ? moved : moved.replace('-02-29', '-02-28');
}

export interface SyntheticCorpus {
  path: string;
  articles: number;
  /** Gold incident of each article that has one. */
  gold: Map<string, string>;
}

/**
 * Writes a corpus of `size` articles (benchmark JSONL, gold included) to `path`. Replica 0 is the source
 * text itself; each later one swaps names and rare words and moves each story by whole years.
 */
export function writeSyntheticCorpus(root: string, size: number, path: string): SyntheticCorpus {
  const sources = readSources(root);
  const swap = swappable(sources);
  const units = new Map<string, SourceArticle[]>();
  for (const a of sources) {
    const key = a.gold?.incidentId ?? `single:${a.id}`;
    units.set(key, [...(units.get(key) ?? []), a]);
  }
  const lines: string[] = [];
  const gold = new Map<string, string>();
  for (let r = 0; lines.length < size; r++) {
    const order = [...units.keys()].sort((a, b) => hash32(`${r}/${a}`) - hash32(`${r}/${b}`));
    for (const key of order) {
      const years = r === 0 ? 0 : -(hash32(`years:${r}/${key}`) % (YEAR_SPREAD + 1));
      const rewrite = (s: string) =>
        r === 0
          ? s
          : shiftYear(
              s.replace(/\b[A-Za-z]+\b/g, (w) => (swap.has(w) ? madeUp(w, String(r)) : w)),
              years,
            );
      for (const a of units.get(key)!) {
        if (lines.length >= size) break;
        const id = r === 0 ? a.id : `r${r}-${a.id}`;
        const incident = a.gold?.incidentId ? (r === 0 ? a.gold.incidentId : `r${r}-${a.gold.incidentId}`) : null;
        if (incident) gold.set(id, incident);
        lines.push(
          JSON.stringify({
            id,
            url: a.url ? `${a.url}${r ? `-r${r}` : ''}` : null,
            headline: rewrite(a.headline),
            source: a.source ?? null,
            published: a.published ? shiftDate(a.published, years) : null,
            text: rewrite(a.text),
            gold: { ...a.gold, incidentId: incident },
          }),
        );
      }
    }
  }
  writeFileSync(path, `${lines.join('\n')}\n`);
  return { path, articles: lines.length, gold };
}
