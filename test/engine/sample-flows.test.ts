/** Every conversation test in flows/tests must pass against the sample flows with the stand-in actions. */

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runConversationTests } from '../../src/engine/conversation-tests/runner.js';
import { loadFlowDirectory, SAMPLE_FLOWS_DIR } from './support/load-flows.js';
import { createStandInActions } from './support/stand-in-actions.js';

describe('sample flows of Kaffeerösterei Bohnenglück', () => {
  it('pass all their conversation tests', async () => {
    const results = await runConversationTests({
      testsDir: join(SAMPLE_FLOWS_DIR, 'tests'),
      flowSet: loadFlowDirectory(),
      actions: createStandInActions,
    });
    const failures = results
      .filter((r) => !r.passed)
      .map((r) => `${r.name}\n  ${r.failure}\n    ${r.transcript.join('\n    ')}`);
    expect(failures).toEqual([]);
    expect(results.length).toBeGreaterThanOrEqual(30);
  });
});
