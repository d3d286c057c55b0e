import { getEventListeners } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { OutboxPacer, PACING_HEADROOM, PACING_TOLERANCE_MS } from '../../src/outbox/pacing.js';
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
    // A grant may come up to the tolerance early, never more: k grants later is at least k intervals minus it.
    for (let i = 0; i < times.length; i += 1) {
      for (let k = 1; i + k < times.length; k += 1) {
        expect(times[i + k]! - times[i]!).toBeGreaterThanOrEqual(k * interval - PACING_TOLERANCE_MS);
      }
    }
    // So no rolling second holds more than the rate, with room left for network jitter.
    expect(40 * interval - PACING_TOLERANCE_MS).toBeGreaterThan(1000);
  }, 60_000);

  it('leaves no abort listener behind once a grant came (the signal lives as long as the worker)', async () => {
    handle = await createTestDatabase(dialect);
    const pacer = new OutboxPacer(await handle.open());
    const controller = new AbortController();
    const pacing = { overallPerSecond: 1000, perChatIntervalMs: 0 };
    for (let i = 0; i < 12; i += 1) await pacer.acquire('telegram', pacing, controller.signal);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('a pause of the whole channel holds every instance until it ends', async () => {
    handle = await createTestDatabase(dialect);
    const [a, b] = [new OutboxPacer(await handle.open()), new OutboxPacer(await handle.open())];
    const pacing = { overallPerSecond: 1000, perChatIntervalMs: 0 };
    const until = Date.now() + 300;
    await a.pause('telegram', 'telegram:c1', until, 'channel');
    const granted = await b.acquire('telegram', pacing, new AbortController().signal);
    expect(granted).not.toBeNull();
    expect(granted!).toBeGreaterThanOrEqual(until - PACING_TOLERANCE_MS);
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
