import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['./test/support/setup.ts'],
    // Generous for a busy 2-core machine, but bounded: a hang fails instead of blocking CI.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // expect.poll waits for a condition; its 1 s default is too short for a browser on a loaded machine.
    expect: { poll: { timeout: 10_000 } },
    // Test files run in parallel processes; every store test isolates itself (own SQLite file / PG schema).
    pool: 'forks',
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
});
