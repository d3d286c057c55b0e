import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    // Integration tests share PostgreSQL schemas and ports; files run in parallel, tests inside a file do not.
    pool: 'forks',
  },
});
