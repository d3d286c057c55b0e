/**
 * `plausch flows test`: runs the conversation tests and prints `✓ name` / `✗ name` with the failure, then
 * `N passed, M failed`. Returns the exit code (0 when all passed and there was at least one test).
 */
import { type ConversationTestOptions, runConversationTests } from '../engine/conversation-tests/runner.js';

export interface FlowsTestCommandOptions extends ConversationTestOptions {
  output: NodeJS.WritableStream;
  /** Print every test's transcript, not only the failing ones'. */
  verbose?: boolean;
}

export async function runFlowsTestCommand(options: FlowsTestCommandOptions): Promise<number> {
  const { output } = options;
  const results = await runConversationTests(options);
  let passed = 0;
  let failed = 0;
  for (const result of results) {
    if (result.passed) {
      passed += 1;
      output.write(`✓ ${result.name}\n`);
    } else {
      failed += 1;
      output.write(`✗ ${result.name}\n    ${result.failure ?? 'failed'}\n`);
    }
    if (!result.passed || options.verbose) {
      for (const line of result.transcript.slice(-8)) output.write(`      ${line}\n`);
    }
  }
  if (results.length === 0) output.write(`no conversation tests found in ${options.testsDir}\n`);
  output.write(`${passed} passed, ${failed} failed\n`);
  return failed === 0 && results.length > 0 ? 0 : 1;
}
