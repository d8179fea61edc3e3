import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Temporal's native bridge and DuckDB are safest in separate processes, not worker threads.
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 120_000,
    setupFiles: ['./test/support/setup.ts'],
    reporters: ['default', './test/support/closing-line-reporter.ts'],
  },
});
