import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TestSpecification, Vitest } from 'vitest/node';
import { ROOT } from './cli-runner.ts';
import { SLOWEST, SlowestFirst } from './sequencer.ts';

/** Just what BaseSequencer reads: the project's order settings, and the cache of past durations. */
function sequencer(durations: Record<string, number>) {
  const project = { name: '', config: { sequence: { groupOrder: 0 }, isolate: false } };
  const ctx = {
    config: { root: ROOT },
    cache: {
      getFileTestResults: (key: string) => (key.slice(1) in durations ? { duration: durations[key.slice(1)], failed: false } : undefined),
      getFileStats: (key: string) => (key.slice(1) in durations ? { size: 1 } : undefined),
    },
  };
  const spec = (file: string) => ({ project, moduleId: join(ROOT, file) }) as unknown as TestSpecification;
  const order = async (files: string[]) =>
    (await new SlowestFirst(ctx as unknown as Vitest).sort(files.map(spec))).map((s) => s.moduleId.slice(ROOT.length + 1));
  return order;
}

describe('the test sequencer', () => {
  it('names only files that exist', () => {
    for (const f of SLOWEST) expect(existsSync(join(ROOT, f)), f).toBe(true);
  });

  it('starts the longest files first, longest first, without a cache of durations', async () => {
    const files = ['test/a.test.ts', SLOWEST[2]!, 'test/b.test.ts', SLOWEST[0]!];
    expect(await sequencer({})(files)).toEqual([SLOWEST[0], SLOWEST[2], 'test/a.test.ts', 'test/b.test.ts']);
  });

  it("whatever the cache says, and keeps vitest's order (longest cached first) for the rest", async () => {
    const order = sequencer({ 'test/a.test.ts': 10, 'test/b.test.ts': 90_000, [SLOWEST[0]!]: 1, [SLOWEST[1]!]: 2 });
    expect(await order(['test/a.test.ts', SLOWEST[1]!, 'test/b.test.ts', SLOWEST[0]!])).toEqual([
      SLOWEST[0],
      SLOWEST[1],
      'test/b.test.ts',
      'test/a.test.ts',
    ]);
  });
});
