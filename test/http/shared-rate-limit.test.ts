/**
 * Public endpoints are rate-limited per client across instances: two Plausch processes on one database
 * share one budget per endpoint group, answer 429 with Retry-After beyond it, store no client address, and
 * let requests through when the store cannot count.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { RATE_LIMIT_WINDOW_MS, SharedRateLimiter } from '../../src/http/shared-rate-limit.js';
import { silentLogger } from '../../src/logger.js';
import { openStore } from '../../src/store/database.js';
import { type RunningPlausch, startPlausch } from '../support/plausch-instance.js';
import {
  createTestDatabase,
  dialectsUnderTest,
  notePostgresSkipped,
  type TestStoreHandle,
} from '../support/stores.js';

notePostgresSkipped();

async function waitUntil(condition: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Waits (at most a few seconds) until the current one-minute window has at least `ms` left. */
async function roomInWindow(ms: number): Promise<void> {
  while (RATE_LIMIT_WINDOW_MS - (Date.now() % RATE_LIMIT_WINDOW_MS) < ms) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe.each(dialectsUnderTest)('shared rate limits on %s', (dialect) => {
  let handle: TestStoreHandle | undefined;
  const running: RunningPlausch[] = [];
  afterEach(async () => {
    for (const r of running.splice(0)) await r.stop();
    await handle?.dispose();
    handle = undefined;
  });

  it('two instances share one budget per client and endpoint group', async () => {
    handle = await createTestDatabase(dialect);
    const env = { PUBLIC_RATE_LIMIT_PER_MINUTE: '5', INSTANCE_ID: 'a' };
    running.push(await startPlausch({ store: await handle.open(), env }));
    running.push(await startPlausch({ store: await handle.open(), env: { ...env, INSTANCE_ID: 'b' } }));
    const [a, b] = running as [RunningPlausch, RunningPlausch];
    await roomInWindow(15_000);

    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 8; i += 1) {
      const target = i % 2 === 0 ? a : b;
      const response = await fetch(`${target.baseUrl}/r/NOSUCHCODE${i}`, { redirect: 'manual' });
      await response.arrayBuffer();
      statuses.push(response.status);
      if (response.status === 429) retryAfter = response.headers.get('retry-after');
    }
    expect(statuses.slice(0, 5).every((s) => s !== 429)).toBe(true);
    expect(statuses.slice(5)).toEqual([429, 429, 429]);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    expect(Number(retryAfter)).toBeLessThanOrEqual(60);

    // Another group has its own budget.
    const conversion = await fetch(`${b.baseUrl}/conversions/webhook`, { method: 'POST', body: '{}' });
    expect(conversion.status).not.toBe(429);

    const rows = await (await handle.open()).db
      .withTables<{ rate_limit_hits: { key: string; hits: number } }>()
      .selectFrom('rate_limit_hits')
      .select(['key', 'hits'])
      .execute();
    expect(rows.map((r) => r.key).join(' ')).not.toMatch(/127\.0\.0\.1|::1/);
    expect(rows.find((r) => r.key.startsWith('referral:'))?.hits).toBe(8);
  });

  it('starts a new budget each minute and allows requests when the store cannot count', async () => {
    handle = await createTestDatabase(dialect);
    const store = await handle.open();
    let now = 10 * RATE_LIMIT_WINDOW_MS + 1_000;
    const limiter = new SharedRateLimiter(store, silentLogger, 'test-key', () => now);
    expect(await limiter.hit('api', '203.0.113.7', 2)).toBe(0);
    expect(await limiter.hit('api', '203.0.113.7', 2)).toBe(0);
    expect(await limiter.hit('api', '203.0.113.7', 2)).toBe(RATE_LIMIT_WINDOW_MS - 1_000);
    expect(await limiter.hit('api', '198.51.100.1', 2)).toBe(0);
    now += 2 * RATE_LIMIT_WINDOW_MS;
    expect(await limiter.hit('api', '203.0.113.7', 2)).toBe(0);
    // The windows before the previous one are gone (no address lingers).
    await waitUntil(async () => {
      const windows = await store.db
        .withTables<{ rate_limit_hits: { window_start: number } }>()
        .selectFrom('rate_limit_hits')
        .select('window_start')
        .execute();
      return windows.every(
        (w) => Number(w.window_start) >= now - (now % RATE_LIMIT_WINDOW_MS) - RATE_LIMIT_WINDOW_MS,
      );
    });

    // A store that cannot answer (closed): the request passes.
    const closed = openStore({ databaseUrl: '', sqlitePath: ':memory:' });
    await closed.close();
    expect(await new SharedRateLimiter(closed, silentLogger, 'test-key', () => now).hit('api', 'x', 0)).toBe(
      0,
    );
  });
});
