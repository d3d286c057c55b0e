import { afterEach, describe, expect, it } from 'vitest';
import { OutboxPacer, PACING_HEADROOM } from '../../src/outbox/pacing.js';
import {
  createTestDatabase,
  dialectsUnderTest,
  notePostgresSkipped,
  type TestStoreHandle,
} from '../support/stores.js';

notePostgresSkipped();

describe.each(dialectsUnderTest)('outbox pacing shared through the store (%s)', (dialect) => {
  let handle: TestStoreHandle | null = null;
  afterEach(async () => {
    await handle?.dispose();
    handle = null;
  });

  it('two instances together never get two grants of a channel closer than 1 / rate, and every send gets one', async () => {
    handle = await createTestDatabase(dialect);
    // Two pacers on two connections: two instances sharing one database.
    const [a, b] = [new OutboxPacer(await handle.open()), new OutboxPacer(await handle.open())];
    const pacing = { overallPerSecond: 40, perChatIntervalMs: 0 };
    const signal = new AbortController().signal;
    const grants = await Promise.all(
      Array.from({ length: 24 }, (_, i) => (i % 2 === 0 ? a : b).acquire('telegram', pacing, signal)),
    );
    expect(grants.every((g) => g !== null)).toBe(true);
    const times = (grants as number[]).sort((x, y) => x - y);
    const interval = 1000 / (pacing.overallPerSecond * (1 - PACING_HEADROOM));
    for (let i = 1; i < times.length; i += 1)
      expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(interval);
    // No burst at the start either: 24 grants at 40/s span at least 23 intervals.
    expect(times.at(-1)! - times[0]!).toBeGreaterThanOrEqual(23 * interval);
  }, 60_000);

  it('a pause of the whole channel holds every instance until it ends', async () => {
    handle = await createTestDatabase(dialect);
    const [a, b] = [new OutboxPacer(await handle.open()), new OutboxPacer(await handle.open())];
    const pacing = { overallPerSecond: 1000, perChatIntervalMs: 0 };
    const until = Date.now() + 300;
    await a.pause('telegram', 'telegram:c1', until, 'channel');
    const granted = await b.acquire('telegram', pacing, new AbortController().signal);
    expect(granted).not.toBeNull();
    expect(granted!).toBeGreaterThanOrEqual(until);
  }, 60_000);

  it('gives up waiting when the worker stops', async () => {
    handle = await createTestDatabase(dialect);
    const pacer = new OutboxPacer(await handle.open());
    const pacing = { overallPerSecond: 0.001, perChatIntervalMs: 0 };
    const stopping = new AbortController();
    expect(await pacer.acquire('telegram', pacing, stopping.signal)).not.toBeNull();
    const second = pacer.acquire('telegram', pacing, stopping.signal);
    stopping.abort();
    expect(await second).toBeNull();
  }, 60_000);

  it('refuses to reserve a chat slot further away than the caller will wait', async () => {
    handle = await createTestDatabase(dialect);
    const pacer = new OutboxPacer(await handle.open());
    const pacing = { overallPerSecond: 30, perChatIntervalMs: 1000 };
    expect(pacer.reserve('telegram', 'telegram:c1', pacing, 0, 500)).toEqual({ waitMs: 0, reserved: true });
    expect(pacer.reserve('telegram', 'telegram:c1', pacing, 100, 500)).toEqual({
      waitMs: 900,
      reserved: false,
    });
    expect(pacer.reserve('telegram', 'telegram:c1', pacing, 100, 1000)).toEqual({
      waitMs: 900,
      reserved: true,
    });
  });
});
