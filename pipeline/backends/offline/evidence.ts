import type { Article, Citation } from '../../../schemas/index.ts';
import { otherLanguage, splitSentences, type Sentence } from '../../text/sentences.ts';
import type { Span } from './span.ts';
import { TUNING } from './tuning.ts';
import { packSentences, unpackSentences } from '../../text/packed-sentences.ts';
import { sha256 } from '../../text/hash.ts';

/** A cue: a pattern that signals something, and how much one sentence carrying it counts. */
export interface Cue {
  re: RegExp;
  weight: number;
}

/**
 * Cues match whole words, with the common inflections (s, es, ed, ing, ly, and d after an e: "updated"):
 * "app" finds "apps" but not "apple", "engine" not "engineer", "car" not "card" (a gift card was evidence
 * of transportation when any word took a d). A pattern that is a stem says so with a trailing `\\w*`.
 */
export const cues = (weight: number, ...patterns: string[]): Cue[] =>
  patterns.map((p) => ({ re: new RegExp(`\\b(?:${p})(?:s|es|(?<=e)d|ed|ing|ly)?(?!\\w)`, 'i'), weight }));

export interface ArticleDoc {
  article: Article;
  sentences: Sentence[];
}

/**
 * Sentence splitting is the costly step, and each stage reads every article again (screen, then extract,
 * then classify), so a cache of recent documents misses every time once the corpus outgrows it. Every
 * text is split once: its sentences are kept packed (a few bytes a token), keyed by the text itself, and
 * unpacked when read again. Only a few recent documents are kept whole, for the cue matches they carry.
 * Past PACKED_BUDGET bytes the oldest packed texts go (about 80,000 news articles).
 */
const PACKED_BUDGET = 256 * 2 ** 20;
const RECENT = 32;
const packed = new Map<string, Uint8Array>();
let packedBytes = 0;
const recent = new Map<string, ArticleDoc>();
let splits = 0;

/** The text's sentences, split once per text in this process. */
export function sentencesOf(text: string): Sentence[] {
  const key = sha256(text);
  const hit = packed.get(key);
  if (hit) return unpackSentences(hit, text);
  splits++;
  const sentences = splitSentences(text);
  const bytes = packSentences(sentences);
  packed.set(key, bytes);
  packedBytes += bytes.length;
  for (const [k, b] of packed) {
    if (packedBytes <= PACKED_BUDGET) break;
    packed.delete(k);
    packedBytes -= b.length;
  }
  return sentences;
}

const TRAILER = new RegExp(TUNING.settings.reading.trailer, 'i');

/** The story's sentences: those before the page's trailer, if one opens in the article's latter part. */
export function storySentences(sentences: Sentence[]): Sentence[] {
  const from = Math.ceil(sentences.length * TUNING.settings.reading.trailerFrom);
  const at = sentences.findIndex((s, i) => i >= from && TRAILER.test(s.text));
  return at < 0 ? sentences : sentences.slice(0, at);
}

/**
 * Can the offline backend read the article at all? Its cues and models are English: an article in another
 * language ("Sony demanda a los hackers de la PlayStation 3") offers none of them, so whatever it would say
 * about it would be a guess.
 */
export const readable = (doc: ArticleDoc): boolean =>
  !otherLanguage(
    doc.sentences.flatMap((s) => s.tokens),
    TUNING.settings.reading.minStopShare,
    TUNING.settings.reading.languageMinWords,
  );

export function readArticle(article: Article): ArticleDoc {
  const key = `${article.id}\u0000${article.contentHash}`;
  let doc = recent.get(key);
  // Screening reads the headline too: a kept document serves only the same text under the same headline.
  if (doc && doc.article.text === article.text && doc.article.headline === article.headline) {
    recent.delete(key);
  } else {
    doc = { article, sentences: storySentences(sentencesOf(article.text)) };
    if (recent.size >= RECENT) recent.delete(recent.keys().next().value!);
  }
  recent.set(key, doc);
  return doc;
}

/** How many texts have been split in this process, and how many bytes their packed sentences take. */
export const sentenceCacheStats = () => ({ splits, packedTexts: packed.size, packedBytes });

const POLARITY = TUNING.settings.polarity;
const NEGATION = new RegExp(POLARITY.negation, 'i');
const NO_EVIDENCE = new RegExp(POLARITY.noEvidence, 'i');
const HEDGE = new RegExp(POLARITY.hedge, 'i');

export type Polarity = 'asserted' | 'hedged' | 'negated';

/**
 * How a cue is used in its sentence: asserted, hedged ("could have exposed"), or negated ("no evidence of
 * an attack"). Only the words before the cue, within the clause, are read.
 */
export function polarityAt(sentence: string, index: number): Polarity {
  const before = sentence.slice(Math.max(0, index - POLARITY.window), index);
  if (NEGATION.test(before) || NO_EVIDENCE.test(before)) return 'negated';
  if (HEDGE.test(before)) return 'hedged';
  return 'asserted';
}

export interface Hit {
  articleId: string;
  sentence: Sentence;
  weight: number;
  polarity: Polarity;
  cue: string;
}

type Match = { weight: number; polarity: Polarity; cue: string } | null;
// Screening, extraction and classification ask the same lists of the same (cached) sentences.
const memo = new WeakMap<readonly Cue[], WeakMap<Sentence, Match>>();

/** The strongest matching cue of a sentence, with its polarity. */
export function matchSentence(sentence: Sentence, list: readonly Cue[]): Match {
  let byList = memo.get(list);
  if (!byList) memo.set(list, (byList = new WeakMap()));
  if (byList.has(sentence)) return byList.get(sentence)!;
  const m = matchUncached(sentence, list);
  byList.set(sentence, m);
  return m;
}

// Most sentences carry none of a list's cues: one alternation of them all rules those out in one pass.
const anyOf = new WeakMap<readonly Cue[], RegExp>();
function mayMatch(text: string, list: readonly Cue[]): boolean {
  let re = anyOf.get(list);
  if (!re) anyOf.set(list, (re = new RegExp(list.map((c) => `(?:${c.re.source})`).join('|') || '(?!)', 'i')));
  return re.test(text);
}

/** How many of the list's cues a sentence carries. */
export function countCues(sentence: Sentence, list: readonly Cue[]): number {
  if (!mayMatch(sentence.text, list)) return 0;
  return list.reduce((n, c) => n + (c.re.test(sentence.text) ? 1 : 0), 0);
}

function matchUncached(sentence: Sentence, list: readonly Cue[]): Match {
  if (!mayMatch(sentence.text, list)) return null;
  let best: Match = null;
  for (const c of list) {
    const m = c.re.exec(sentence.text);
    if (!m) continue;
    const polarity = polarityAt(sentence.text, m.index);
    const w = polarity === 'asserted' ? c.weight : polarity === 'hedged' ? c.weight * POLARITY.hedgedWeight : 0;
    if (!best || w > best.weight) best = { weight: w, polarity, cue: m[0] };
  }
  return best;
}

/** Every sentence of the documents that carries one of the cues. */
export function findEvidence(docs: readonly ArticleDoc[], list: readonly Cue[]): Hit[] {
  const hits: Hit[] = [];
  for (const d of docs) {
    for (const s of d.sentences) {
      const m = matchSentence(s, list);
      if (m) hits.push({ articleId: d.article.id, sentence: s, ...m });
    }
  }
  return hits;
}

/** A citation of a sentence, or of a span of one: taken verbatim, so it always aligns exactly. */
export function sentenceCitation(articleId: string, s: Span): Citation {
  return { articleId, quote: s.text, start: s.start, end: s.end, alignment: 'exact' };
}
