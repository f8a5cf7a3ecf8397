import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Two test files at once on a 2-core machine: many tests wait on git, the Action bundle or
    // Prometheus in child processes, and vitest's default (cores - 1) would run one at a time.
    maxWorkers: 2,
    minWorkers: 1,
    reporters: ['default', './test/summary-reporter.ts'],
  },
});
