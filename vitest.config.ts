import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    setupFiles: ['test/support/quiet-runtime.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Workflow tests share one dev server; two cores fit two test files at a time.
    maxWorkers: 2,
    allowOnly: false,
    // Handler logs (Powertools) only at ERROR: expected 4xx/503 cases would flood the report.
    env: { POWERTOOLS_LOG_LEVEL: 'ERROR' },
  },
});
