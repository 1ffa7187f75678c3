import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MODEL } from '../pipeline/backends/offline/learned.ts';
import { Judgement, type Quote, audit, auditedIncidents, drawn, shownQuotes, verdicts } from '../evals/evidence-audit.ts';
import { loadGold } from '../evals/gold.ts';
import { sha256 } from '../pipeline/text/hash.ts';

const ROOT = join(import.meta.dirname, '..');
const JUDGED = join(ROOT, 'data', 'judgements', 'evidence-sample.jsonl');

describe('evidence audit', () => {
  const q = (dimension: string, option: string, sentence: string): Quote => ({
    incident: 'i1',
    dimension,
    option,
    article: 'a1',
    sentence,
  });

  it('counts shown quotes judged to support, judged not to, and not judged, per dimension and in all', () => {
    const quotes = [
      q('intent', 'poor_decisions', 'They rushed it out.'),
      q('intent', 'poor_decisions', 'The morning rush.'),
      q('cps', 'true', 'Trains stopped.'),
    ];
    const rows = audit(quotes, [
      [
        { ...quotes[0]!, supports: true },
        { ...quotes[1]!, supports: false },
        // The same sentence judged for another option says nothing about this one.
        { ...quotes[2]!, option: 'false', supports: true },
      ],
    ]);
    expect(rows.map((r) => [r.dimension, r.shown, r.supports, r.notSupports, r.unjudged.length])).toEqual([
      ['intent', 2, 1, 1, 0],
      ['cps', 1, 0, 0, 1],
      ['all', 3, 1, 1, 1],
    ]);
  });

  it("has a verdict for every quote the shipped model shows on the sample, and the judges' majority says few do not support their option", async () => {
    const judges = ['', '.second-judge', '.third-judge'].map((j) =>
      readFileSync(JUDGED.replace('.jsonl', `${j}.jsonl`), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => Judgement.parse(JSON.parse(l))),
    );
    const all = audit(shownQuotes(await loadGold(join(ROOT, 'data', 'sample')), MODEL), judges).at(-1)!;
    // A change that shows new quotes needs them judged (`--unjudged` lists them) before its figure is quoted.
    expect(all.unjudged).toEqual([]);
    expect(all.shown).toBeGreaterThan(150);
    // By the majority of three judges: 66 of 212 before the opening-sentence and stating-cue rules of
    // quotable.ts, 36 of 162 with them.
    expect(all.notSupports / all.shown).toBeLessThan(0.25);
  });

  it("scores by the judges' majority when given several judges' files; an even split is no verdict", () => {
    const quotes = [q('phase', 'design', 'A bug in the code.'), q('phase', 'design', 'The glitch.'), q('cps', 'true', 'Trains stopped.')];
    const judge = (...supports: boolean[]) => quotes.map((x, i) => ({ ...x, supports: supports[i]! }));
    // The third judge read only the quotes the first two split on.
    const third = [{ ...quotes[1]!, supports: false }];
    const rows = audit(quotes, [judge(true, true, true), judge(true, false, false), third]);
    expect(rows.at(-1)).toMatchObject({ shown: 3, supports: 1, notSupports: 1 });
    // Trains stopped: one judge each way, and no third reading.
    expect(rows.at(-1)!.unjudged.map((u) => u.sentence)).toEqual(['Trains stopped.']);
    expect(verdicts([judge(true, true, true)]).size).toBe(3);
  });

  it('draws a seeded random few of the quotes to judge next, in their order, the same for the same seed', () => {
    const items = Array.from({ length: 50 }, (_x, i) => i);
    const a = drawn(items, 10, 7);
    expect(a).toHaveLength(10);
    expect(new Set(a).size).toBe(10);
    expect([...a].sort((x, y) => x - y)).toEqual(a);
    expect(drawn(items, 10, 7)).toEqual(a);
    expect(drawn(items, 10, 8)).not.toEqual(a);
    expect(drawn(items, 80, 7)).toEqual(items);
    expect(() => drawn(items, -1, 7)).toThrow('--draw takes a count');
  });

  it("audits Ko's stories, which have no incident records, by each story's relevant articles", async () => {
    const ko = await loadGold(join(ROOT, '..', 'shared', 'benchmarks', 'ko'));
    const stories = auditedIncidents(ko);
    expect(stories.length).toBe(new Set(ko.articles.filter((a) => a.gold.relevantToStory).map((a) => a.gold.storyId)).size);
    const byId = new Map(ko.articles.map((a) => [a.id, a]));
    for (const s of stories) {
      expect(s.articleIds.length).toBeGreaterThan(0);
      expect(s.articleIds.length).toBeLessThanOrEqual(10);
      for (const id of s.articleIds) expect(byId.get(id)!.gold).toMatchObject({ storyId: s.id, relevantToStory: true });
    }
  });

  it("matches a judgement that names its sentence by SHA-256 only (for a publisher's text, which is not copied)", () => {
    const { sentence, ...rest } = q('intent', 'poor_decisions', 'They rushed it out.');
    const hashed = Judgement.parse({ ...rest, sentenceSha256: sha256(sentence), supports: false });
    expect(audit([{ ...rest, sentence }], [[hashed]]).at(-1)).toMatchObject({ shown: 1, notSupports: 1, unjudged: [] });
    expect(Judgement.safeParse({ ...rest, supports: true }).success).toBe(false);
  });

  it('names a missing judgements file in one line and exits with 2; a bad line is named and the rest is read', () => {
    const run = (...args: string[]) =>
      spawnSync(process.execPath, [join(ROOT, 'bin', 'run-ts.js'), 'evals/evidence-audit.ts', ...args], { cwd: ROOT, encoding: 'utf8' });
    const missing = run('data/sample', 'no-such-judgements.jsonl');
    expect(missing.status).toBe(2);
    expect(missing.stderr.trim()).toBe('evidence-audit: no-such-judgements.jsonl: not found');
    const dir = mkdtempSync(join(tmpdir(), 'audit-'));
    const file = join(dir, 'j.jsonl');
    writeFileSync(file, `${readFileSync(JUDGED, 'utf8').split('\n')[0]}\n{not json\n`);
    const partial = run('data/sample', file);
    expect(partial.status).toBe(0);
    expect(partial.stderr).toContain(`${file}:2: malformed JSON`);
    expect(partial.stdout).toMatch(/\| \*\*all\*\* \| \d+ \| 1 \(1\.00\) \| 0 \(0\.00\) \| \d+ \|/);
  });
});
