import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { splitSentences } from '../pipeline/text/sentences.ts';
import { packSentences, unpackSentences } from '../pipeline/text/packed-sentences.ts';
import { readArticle, sentenceCacheStats } from '../pipeline/backends/offline/evidence.ts';
import { toArticle } from '../pipeline/ingest/article.ts';

const sample = readFileSync('data/sample/articles.jsonl', 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((l) => JSON.parse(l) as { text: string });

describe('packed sentences', () => {
  it('unpack to exactly the sentences that were split', () => {
    const texts = [
      ...sample.map((a) => a.text),
      '',
      'One word',
      'Tabs\there,\r\nCRLF lines… and “curly quotes” — dashes; emoji 🚀 too. Mr. Smith (aged 40) said: "no!"',
      `A ${'very'.repeat(60)}long token, then ${' '.repeat(300)} a wide gap. Numbers 1,234.5 and e-mail a@b.example.`,
      "It wasn't the app's fault, they didn't say. Ñandú Café's système failed.",
    ];
    for (const text of texts) {
      const sentences = splitSentences(text);
      expect(unpackSentences(packSentences(sentences), text)).toEqual(sentences);
    }
  });
});

describe('readArticle', () => {
  it('splits each text once, however many articles are read between two reads of it', () => {
    // Each stage reads every article in turn: more articles than any cache of whole documents holds.
    const articles = Array.from({ length: 2_500 }, (_x, i) =>
      toArticle({
        id: `a${i}`,
        origin: 'test',
        published: '2024-01-01',
        text: `System ${i} failed on Monday. The outage lasted ${i % 24} hours.`,
      }),
    );
    const before = sentenceCacheStats().splits;
    const first = articles.map((a) => readArticle(a).sentences);
    const second = articles.map((a) => readArticle(a).sentences);
    expect(sentenceCacheStats().splits - before).toBe(articles.length);
    expect(second).toEqual(first);
  });

  it("splits again when an article's text changes", () => {
    const a = toArticle({ id: 'changing', origin: 'test', published: null, text: 'The app crashed. Users were locked out.' });
    const b = { ...a, text: 'The app  crashed. Users were locked out.' };
    expect(readArticle(a).sentences.map((s) => s.text)).toEqual(['The app crashed.', 'Users were locked out.']);
    expect(readArticle(b).sentences.map((s) => [s.start, s.end])).toEqual([
      [0, 17],
      [18, 40],
    ]);
  });
});
