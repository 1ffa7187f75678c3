import { describe, expect, it } from 'vitest';
import { addCounts, emptyCounts, learnLexicon, lexiconScore, mergeCounts, textWords } from '../pipeline/backends/offline/lexicon.ts';
import { stem } from '../pipeline/text/stem.ts';
import { contentTokens } from '../evals/facts.ts';
import { factCandidates } from '../pipeline/backends/offline/candidates.ts';
import { storyDoc } from './fixtures.ts';

const counts = (texts: string[]) => texts.reduce((c, t) => addCounts(c, textWords(t)), emptyCounts());

describe('fact lexicons: the words analysts pick out for a field', () => {
  it('stems words as the eval does, so "failed" and "failures" are read alike on both sides', () => {
    const text = 'Failures of the patched routers failed users';
    expect(textWords(text).sort()).toEqual(contentTokens(text).sort());
    expect(stem('failures')).toBe(stem('failure'));
  });

  it('weighs a word by how much more often facts use it than the stories do, and scores a clause by its words', () => {
    const facts = counts([
      'engineers should have tested the update before release',
      'more testing should have caught the bug',
      'staff training should have covered the manual fallback',
    ]);
    const stories = counts([
      'the company said on Monday that the outage hit customers',
      'the update reached customers on Monday, the company said',
      'engineers said the bug was found later',
      'customers said the service was down for hours',
    ]);
    const lex = learnLexicon(facts, stories);
    // "testing" is the facts' own word; "said" is the stories', which the facts never use.
    expect(lex.weights[stem('testing')]).toBeGreaterThan(0);
    expect(lex.weights[stem('said')]).toBeUndefined();
    expect(lex.unseen).toBeLessThan(0);
    const prevention = lexiconScore(lex, textWords('testing should have caught it'));
    const report = lexiconScore(lex, textWords('the company said customers were hit on Monday'));
    expect(prevention).toBeGreaterThan(report);
    // Counts add up across incidents as they would from one pooled set.
    expect(mergeCounts([facts, stories]).total).toBe(facts.total + stories.total);
    expect(lexiconScore(lex, [])).toBe(0);
  });
});

describe('page furniture is never a fact', () => {
  it('leaves out credits, captions and links, and keeps the story around them', () => {
    const doc = storyDoc(
      'furniture',
      'A faulty software update took the bank app offline for six hours on Monday. ' +
        'Watch this: Five gadgets we loved this week and why they matter. ' +
        'Engineers at the bank rolled the update back by the evening. ' +
        'Customers queue outside a branch in London (Credit: Getty Images)\n' +
        'Reporting by Jane Doe in London; Editing by John Roe and Mary Poe.',
    );
    const sentences = new Set(factCandidates([doc]).map((c) => c.s.text));
    expect([...sentences].some((s) => /Watch this|Reporting by|Credit:/.test(s))).toBe(false);
    expect([...sentences].some((s) => s.startsWith('Engineers at the bank rolled'))).toBe(true);
  });
});

describe('learning a lexicon field', () => {
  it("scores each training row with a lexicon that never read its own incident's facts", async () => {
    const { factInputs, factRows } = await import('../pipeline/learn/base.ts');
    const incident = (id: string, text: string, cause: string) =>
      ({
        gold: { id, articleIds: [id], gold: { postmortem: { softwareCauses: `1. ${cause}` } } },
        docs: [storyDoc(id, text)],
      }) as unknown as Parameters<typeof factRows>[0][number];
    const incidents = [
      incident('a', 'The outage began when a zorblax routine in the billing software looped forever.', 'a zorblax routine looped'),
      incident('b', 'The outage began when a timer in the billing software overflowed after a year.', 'a timer overflowed'),
    ];
    const rows = factRows(incidents).filter((r) => r.text.softwareCauses !== undefined);
    const { xs, lexicon } = factInputs(incidents, rows, 'softwareCauses');
    expect(lexicon).not.toBeNull();
    const own = rows.findIndex((r) => r.inc.gold.id === 'a');
    const word = stem('zorblax');
    // The final lexicon has read incident a and trusts its word; a's own row was scored without it.
    expect(lexicon!.weights[word] ?? lexicon!.unseen).toBeGreaterThan(0);
    expect(xs[own]!.lex).toBeLessThan(lexiconScore(lexicon!, rows[own]!.words.softwareCauses!));
  });
});
