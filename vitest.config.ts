import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Both cores: vitest's default outside watch mode is one worker fewer than the cores, which here is one.
    maxWorkers: 2,
    // The memory test measures the JS heap after a forced collection.
    execArgv: ['--expose-gc'],
  },
});
