import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Judgement } from '../evals/evidence-audit.ts';
import { judgeAgreement } from '../evals/judge-agreement.ts';
import { sha256 } from '../pipeline/text/hash.ts';

const ROOT = join(import.meta.dirname, '..');
const j = (dimension: string, sentence: string, supports: boolean): Judgement => ({
  incident: 'i1',
  dimension,
  option: 'x',
  article: 'a1',
  sentence,
  supports,
});

describe('agreement of two judges of the evidence quotes', () => {
  it("counts agreement per dimension and in all, with Cohen's kappa discounting chance", () => {
    // 10 quotes: both say supports on 6, both say not on 2, they differ on 2.
    const verdicts: [boolean, boolean][] = [
      ...Array.from({ length: 6 }, (): [boolean, boolean] => [true, true]),
      [false, false],
      [false, false],
      [true, false],
      [false, true],
    ];
    const first = verdicts.map(([a], i) => j(i < 5 ? 'intent' : 'phase', `s${i}`, a));
    const second = verdicts.map(([, b], i) => j(i < 5 ? 'intent' : 'phase', `s${i}`, b));
    const all = judgeAgreement(first, second).at(-1)!;
    // Observed 0.8; each judge says "not" 3 times in 10, so chance is 0.7·0.7 + 0.3·0.3 = 0.58.
    expect(all).toMatchObject({ dimension: 'all', both: 10, agree: 8, firstNot: 3, secondNot: 3 });
    expect(all.kappa).toBeCloseTo((0.8 - 0.58) / (1 - 0.58), 10);
    expect(judgeAgreement(first, second).map((r) => [r.dimension, r.both, r.agree])).toEqual([
      ['intent', 5, 5],
      ['phase', 5, 3],
      ['all', 10, 8],
    ]);
  });

  it('pairs a judgement by text with one by hash, and leaves out quotes only one judge judged', () => {
    const { sentence, ...rest } = j('cps', 'Trains stopped.', true);
    const hashed: Judgement = { ...rest, sentenceSha256: sha256(sentence!), supports: false };
    const rows = judgeAgreement([j('cps', 'Trains stopped.', true), j('cps', 'Only the first judged this.', true)], [hashed]);
    expect(rows.at(-1)).toMatchObject({ both: 1, agree: 0, firstNot: 0, secondNot: 1 });
    expect(judgeAgreement([j('cps', 'a', true)], [j('cps', 'b', true)])).toEqual([]);
  });

  it('gives no kappa when chance agreement is certain (every quote judged alike by both)', () => {
    expect(judgeAgreement([j('cps', 'a', true)], [j('cps', 'a', true)]).at(-1)!.kappa).toBeNull();
  });

  it('names a missing file and judgement files with nothing in common, exiting with 2', () => {
    const run = (...args: string[]) =>
      spawnSync(process.execPath, [join(ROOT, 'bin', 'run-ts.js'), 'evals/judge-agreement.ts', ...args], { cwd: ROOT, encoding: 'utf8' });
    const dir = mkdtempSync(join(tmpdir(), 'agree-'));
    const a = join(dir, 'a.jsonl'),
      b = join(dir, 'b.jsonl');
    writeFileSync(a, `${JSON.stringify(j('cps', 'a', true))}\n`);
    writeFileSync(b, `${JSON.stringify(j('cps', 'b', true))}\n{not json\n`);
    const missing = run(a, join(dir, 'none.jsonl'));
    expect(missing.status).toBe(2);
    expect(missing.stderr.trim()).toBe(`judge-agreement: ${join(dir, 'none.jsonl')}: not found`);
    const disjoint = run(a, b);
    expect(disjoint.status).toBe(2);
    expect(disjoint.stderr).toContain(`${b}:2: malformed JSON`);
    expect(disjoint.stderr).toContain(`judge-agreement: ${a} and ${b} judge no quote in common`);
  });
});
