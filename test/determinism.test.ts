import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { splitSentences } from '../pipeline/text/sentences.ts';
import { textReader } from '../pipeline/text/nlp.ts';
import { ROOT } from './cli-runner.ts';
import { WARM_UP } from './determinism-probe.ts';

const PROBE = join(ROOT, 'test', 'determinism-probe.ts');

function probe(...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'run-ts.js'), PROBE, ...args], { cwd: ROOT });
    let out = '',
      err = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      err += d;
    });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`probe exited ${code}: ${err}`))));
  });
}

describe('the text layer and the offline backend do not learn from what they read', () => {
  it('splits and tokenises a text the same before and after reading others', () => {
    const text = "The children's hospital said the operator's app failed. Staff waited.";
    const read = () => splitSentences(text).map((s) => s.tokens.map((t) => t.norm));
    const fresh = read();
    expect(fresh[0]).toEqual(expect.arrayContaining(['children', "'s", 'operator']));
    for (const t of [...WARM_UP, "Not a soul blamed the children's."]) splitSentences(t);
    expect(read()).toEqual(fresh);
  });

  it('reads the same after the reader rebuilds itself to bound its memory', () => {
    const texts = [...WARM_UP, "Zorblax's qwertyfication of Flimbat's splonkers.", "The operator's Zorblax app failed."];
    const tokens = (r: ReturnType<typeof textReader>) => texts.map((t) => r.readDoc(t).tokens().out());
    const once = textReader(),
      often = textReader(5);
    expect(tokens(often)).toEqual(tokens(once));
    expect(often.rebuilds()).toBeGreaterThanOrEqual(2);
    expect(once.rebuilds()).toBe(0);
  });

  it('gives the same sentences, terms and records in a fresh process and in one that read other texts first', async () => {
    const [fresh, warmed] = await Promise.all([probe(), probe('--warm')]);
    const f = JSON.parse(fresh);
    expect(f.postmortem.responsibleOrganization.length).toBeGreaterThan(0);
    expect(f.labels.length).toBeGreaterThanOrEqual(13);
    expect(JSON.parse(warmed)).toEqual(f);
  });
});
