import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'examples/testing/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    reporters: ['default'],
    // Vitest leaves a core idle by default (CPUs - 1): on 2 cores that is one file at a time, while most files wait
    // on processes they started (serve, the CLI, shell commands). Two at a time took the suite from ~235 s to ~135 s.
    maxWorkers: availableParallelism(),
  },
});
