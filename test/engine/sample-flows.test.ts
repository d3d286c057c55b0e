/**
 * Every conversation test in flows/tests must pass against the sample flows with the REAL features (FAQ,
 * newsletter, events, referrals, CRM, handoff) on a throw-away in-memory store, exactly as
 * `plausch flows test` runs them. The stand-in actions are only for the engine's own unit tests.
 */

import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OfflineCatalog, openOfflineCatalog } from '../../src/app/offline-catalog.js';
import { runConversationTests } from '../../src/engine/conversation-tests/runner.js';
import { loadFlowSet } from '../../src/flows/flow-set.js';
import { SAMPLE_FLOWS_DIR } from './support/load-flows.js';

describe('sample flows of Kaffeerösterei Bohnenglück with the real features', () => {
  let catalog: OfflineCatalog;
  beforeAll(async () => {
    catalog = await openOfflineCatalog(SAMPLE_FLOWS_DIR);
  });
  afterAll(async () => {
    await catalog?.close();
  });

  it('load their knowledge base, topics, events and campaigns without problems', () => {
    expect(catalog.problems).toEqual([]);
  });

  it('pass all their conversation tests', async () => {
    const loaded = await loadFlowSet(SAMPLE_FLOWS_DIR, catalog.actions);
    if (!loaded.ok) throw new Error(`the sample flows do not load: ${JSON.stringify(loaded.problems)}`);
    const results = await runConversationTests({
      testsDir: join(SAMPLE_FLOWS_DIR, 'tests'),
      flowSet: loaded.flowSet,
      actions: catalog.actions,
      interceptors: catalog.interceptors,
      ...(catalog.questions ? { questions: catalog.questions } : {}),
      prepareConversation: catalog.prepareConversation,
    });
    const failures = results
      .filter((r) => !r.passed)
      .map((r) => `${r.name}\n  ${r.failure}\n    ${r.transcript.join('\n    ')}`);
    expect(failures).toEqual([]);
    expect(results.length).toBeGreaterThanOrEqual(45);
  });
});
