import { defineConfig } from 'vitest/config';
import { SlowestFirst } from './test/sequencer.ts';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Timeouts only catch a hang: on a loaded machine process tests take minutes, and no outcome depends on them.
    testTimeout: 300_000,
    hookTimeout: 300_000,
    // A browser test polls for a state the page reaches once; under load that can take far past vitest's 1 s default.
    expect: { poll: { timeout: 60_000 } },
    // Two workers suit the 2-core machines this runs on. Files share their worker's modules rather than each
    // importing the pipeline again (about 1.5 s a file, most of the suite's time); tests restore what they change.
    maxWorkers: 2,
    isolate: false,
    sequence: { sequencer: SlowestFirst },
  },
});
