import { describe, expect, it } from 'vitest';
import { splitSentences } from '../pipeline/text/sentences.ts';

const texts = (t: string) => splitSentences(t).map((s) => s.text);

// Written for this test, in the shapes news archives give: a kicker, a headline, a byline, a copyright line.
describe('sentences at line ends', () => {
  it('ends a sentence at a blank line, and at an open line before one that begins a sentence', () => {
    expect(texts('Bank app fails for six hours\n\n\nThe Veridian app failed on Monday. Customers could not pay.')).toEqual([
      'Bank app fails for six hours',
      'The Veridian app failed on Monday.',
      'Customers could not pay.',
    ]);
    expect(texts('fv\nSYDNEY - The toll system failed on Monday.\nCopyright 1999 The Age Company Limited\nAll Rights Reserved')).toEqual([
      'fv',
      'SYDNEY - The toll system failed on Monday.',
      'Copyright 1999 The Age Company Limited',
      'All Rights Reserved',
    ]);
  });

  it('runs on across a line break inside a sentence: a lower-case continuation, or a hard-wrapped text', () => {
    expect(texts("'Overall performance is good and we do not have any\nproblems inside the machine,' he said.")).toHaveLength(1);
    const wrapped = [
      'The council said the payroll system had failed on',
      'Friday after an update, and that staff would be paid',
      'late. A spokesman for the council, Tom Hale, said the',
      'vendor was working on a fix and that the system would',
      'be back by Monday.',
    ].join('\n');
    expect(texts(wrapped)).toHaveLength(2);
  });

  it("leaves a wire's dateline out of the sentence it opens, whatever its date or dash", () => {
    for (const dateline of ['HALDEN, Norway (AP) - ', 'OSLO, March 13 (Reuters) -', 'SEATTLE (AP) _ ', 'OSLO (Reuters)--'])
      expect(texts(`${dateline}Northwind Air said a software fault grounded its fleet.`)).toEqual([
        'Northwind Air said a software fault grounded its fleet.',
      ]);
  });

  it('leaves a byline run into the first sentence out of it, and keeps "By Monday, …" whole', () => {
    // Written for this test, in the shape a scraped page gives.
    expect(
      texts(
        'Published on 2026-03-02.  By  Mara Quill , Tech Wire Presenting at a security conference in Oslo, researchers showed the flaw.',
      ),
    ).toEqual(['Published on 2026-03-02.', 'Presenting at a security conference in Oslo, researchers showed the flaw.']);
    expect(texts('By Mara Quill Corporate users say the migration to the new system is slow.')).toEqual([
      'Corporate users say the migration to the new system is slow.',
    ]);
    for (const whole of [
      'By Monday, the bank had restored service to all customers.',
      'By Christmas Eve the outage was over for most customers.',
    ])
      expect(texts(whole)).toEqual([whole]);
    // Only among an article's first sentences.
    const later = 'The app failed. It was down for hours. Staff were sent home. By Mara Quill Corporate users say it was slow.';
    expect(texts(later).at(-1)).toBe('By Mara Quill Corporate users say it was slow.');
  });

  it('keeps every offset: each sentence is the slice of the text it quotes', () => {
    const t = 'Kicker\nThe app failed.\n\nIt was fixed.';
    for (const s of splitSentences(t)) expect(t.slice(s.start, s.end)).toBe(s.text);
  });
});
