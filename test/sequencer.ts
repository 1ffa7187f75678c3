import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

const ROOT = join(import.meta.dirname, '..');
/** The longest files, longest first (test/slowest.json, from `vitest run --reporter=verbose` on a quiet machine). */
export const SLOWEST: string[] = JSON.parse(readFileSync(join(ROOT, 'test', 'slowest.json'), 'utf8'));

/**
 * The longest files start first, whatever vitest's cache of durations says: a fresh CI clone has none, and a
 * node_modules shared between clones holds another branch's. A long file started last would keep one worker
 * busy alone at the end while the other waits.
 */
export class SlowestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (f: TestSpecification) => {
      const at = SLOWEST.indexOf(relative(ROOT, f.moduleId));
      return at < 0 ? SLOWEST.length : at;
    };
    // Array sort is stable: the rest keep vitest's order.
    return (await super.sort(files)).sort((a, b) => rank(a) - rank(b));
  }
}
