/**
 * A platform down, then slow, for one channel: the Telegram adapter talks to a fake Bot API that first answers
 * every send 500, then answers nothing (the outbox's send timeout ends each call), then recovers. Meanwhile
 * another channel keeps flowing. The outbox retries with growing backoff (not in a hot loop), loses nothing,
 * gives up on nothing, and the platform accepts every message exactly once.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createTelegramAdapter } from '../../src/channels/telegram/index.js';
import type { ChannelAdapter } from '../../src/channels/types.js';
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/logger.js';
import type { ChannelName } from '../../src/model/index.js';
import { OutboxWorker } from '../../src/outbox/worker.js';
import { InProcessEventBus } from '../../src/runtime/events.js';
import { FakeTelegramBotApi, type RecordedCall } from '../fakes/telegram-bot-api.js';
import { createContact, enqueueTexts } from '../outbox/helpers.js';
import { FakeAdapter } from '../support/fake-adapter.js';
import {
  createTestDatabase,
  dialectsUnderTest,
  notePostgresSkipped,
  type TestStoreHandle,
} from '../support/stores.js';

notePostgresSkipped();

/** Short lease so the send timeout (half the lease) ends a hung call in 2 s. */
const LEASE_MS = 4_000;

async function until(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe.each(dialectsUnderTest)('a platform down and slow on %s', (dialect) => {
  let handle: TestStoreHandle | undefined;
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    await handle?.dispose();
    handle = undefined;
  });

  it('backs off, loses nothing, sends nothing twice, and other channels keep flowing', async () => {
    handle = await createTestDatabase(dialect);
    const store = await handle.open();
    const fake = await FakeTelegramBotApi.start();
    cleanups.push(() => fake.close());
    const accepted: RecordedCall[] = [];
    fake.onSend((call) => accepted.push(call));
    const telegram = createTelegramAdapter(
      loadConfig({
        NODE_ENV: 'test',
        TELEGRAM_BOT_TOKEN: fake.token,
        TELEGRAM_API_ROOT: fake.apiRoot,
        TELEGRAM_BOT_USERNAME: 'bohnenglueck_bot',
      }),
      silentLogger,
    );
    const other = new FakeAdapter({ name: 'whatsapp-cloud' });
    const worker = new OutboxWorker({
      store,
      logger: silentLogger,
      adapters: new Map<ChannelName, ChannelAdapter>([
        ['telegram', telegram],
        ['whatsapp-cloud', other],
      ]),
      guards: () => [],
      events: new InProcessEventBus(),
      instanceId: 'platform-outage',
      pollIntervalMs: 20,
      leaseMs: LEASE_MS,
      maxAttempts: 8,
      // Backoff without jitter: 1 s, 2 s, 4 s … exactly.
      random: () => 0.5,
    });
    cleanups.push(() => worker.stop());

    const chats = ['7101', '7102', '7103'];
    const telegramTexts: string[] = [];
    for (const chat of chats) {
      const contact = await createContact(store, chat, { channel: 'telegram' });
      const texts = [`${chat}: eins`, `${chat}: zwei`];
      telegramTexts.push(...texts);
      await enqueueTexts(store, contact, texts);
    }

    // Phase 1: Telegram answers every send 500.
    fake.setOutage('down');
    const downAt = Date.now();
    worker.start();
    const whatsApp = await createContact(store, '4917612345678', { channel: 'whatsapp-cloud' });
    await enqueueTexts(store, whatsApp, ['wa: während Telegram fehlt']);
    await until('the other channel to deliver while Telegram is down', () => other.sends.length === 1);

    const attemptsOf = (text: string) =>
      fake
        .callsOf('sendMessage')
        .filter((c) => c.body.text === text)
        .map((c) => c.at);
    const first = telegramTexts[0]!;
    await until('a second attempt of the first message', () => attemptsOf(first).length >= 2);
    const [a1, a2] = attemptsOf(first);
    const downCalls = fake.callsOf('sendMessage').length;

    // Phase 2: Telegram answers nothing; each call ends by the worker's timeout.
    fake.setOutage('hang');
    await until('a hung send', () => fake.hungRequests > 0);
    await until(
      'a send ended by the timeout',
      async () =>
        (
          await store.db.selectFrom('outbox').select('last_error').where('channel', '=', 'telegram').execute()
        ).some((r) => /did not finish/.test(r.last_error ?? '')),
      30_000,
    );
    await enqueueTexts(store, whatsApp, ['wa: während Telegram hängt']);
    await until('the other channel to deliver while Telegram hangs', () => other.sends.length === 2);
    const outageMs = Date.now() - downAt;

    // Phase 3: back to normal; everything goes out.
    fake.setOutage(null);
    await until(
      'every Telegram message accepted',
      () => new Set(accepted.map((c) => c.body.text)).size === telegramTexts.length,
      90_000,
    );
    await until('the outbox empty', async () => {
      const open = await store.db
        .selectFrom('outbox')
        .select('id')
        .where('status', 'in', ['queued', 'sending'])
        .execute();
      return open.length === 0;
    });

    const rows = await store.db.selectFrom('outbox').select(['status', 'attempts', 'channel']).execute();
    const perText = new Map<string, number>();
    for (const call of accepted)
      perText.set(String(call.body.text), (perText.get(String(call.body.text)) ?? 0) + 1);
    const figures = {
      dialect,
      messages: telegramTexts.length,
      outageMs,
      callsWhileDown: downCalls,
      calls: fake.callsOf('sendMessage').length,
      firstRetryAfterMs: (a2 ?? 0) - (a1 ?? 0),
      maxAttempts: Math.max(...rows.map((r) => r.attempts)),
      accepted: accepted.length,
      duplicates: accepted.length - perText.size,
      otherChannelDelivered: other.sends.length,
    };
    console.log(`platform down/slow: ${JSON.stringify(figures)}`);

    expect(rows.every((r) => r.status === 'sent')).toBe(true);
    expect([...perText.values()].every((n) => n === 1)).toBe(true);
    expect(perText.size).toBe(telegramTexts.length);
    // Backoff: the first retry waits the base delay (1 s), it does not hammer the platform.
    expect(figures.firstRetryAfterMs).toBeGreaterThanOrEqual(1_000);
    // One message per chat in flight, each retried a handful of times, not hundreds.
    expect(figures.calls).toBeLessThan(telegramTexts.length * 8);
    expect(figures.maxAttempts).toBeLessThan(8);
    expect(other.sends).toHaveLength(2);
  }, 240_000);
});
