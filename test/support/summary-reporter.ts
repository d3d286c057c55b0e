/**
 * Ends a test run with one plain line, `N passed, M failed, K skipped`, that any CI reads, and says when the
 * PostgreSQL half of the store tests did not run.
 */
import type { Reporter, TestModule } from 'vitest/node';

export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') passed += 1;
        else if (state === 'failed') failed += 1;
        else skipped += 1;
      }
    }
    if (!process.env.TEST_DATABASE_URL) {
      process.stdout.write(
        '\nPostgreSQL tests were skipped: set TEST_DATABASE_URL=postgres://… to run them (CI does).\n',
      );
    }
    process.stdout.write(`\n${passed} passed, ${failed} failed, ${skipped} skipped\n`);
  }
}
