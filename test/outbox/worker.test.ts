import { afterEach, describe, expect, it } from 'vitest';
import type { SendGuard } from '../../src/outbox/types.js';
import type { Store } from '../../src/store/database.js';
import { createRuntime, inbound, waitFor } from '../runtime/helpers.js';
import { FakeAdapter } from '../support/fake-adapter.js';
import {
  createTestDatabase,
  dialectsUnderTest,
  notePostgresSkipped,
  type TestStoreHandle,
} from '../support/stores.js';
import { createContact, createWorker, enqueueTexts, outboxRow, statusCounts, TestClock } from './helpers.js';

notePostgresSkipped();

const HOUR = 3_600_000;

describe.each(dialectsUnderTest)('OutboxWorker on %s', (dialect) => {
  let handle: TestStoreHandle | undefined;
  const stoppers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const stop of stoppers.splice(0)) await stop();
    await handle?.dispose();
    handle = undefined;
  });

  async function openStore(): Promise<Store> {
    handle = await createTestDatabase(dialect);
    return handle.open();
  }

  it('sends queued rows in order, records native ids and publishes each change', async () => {
    const store = await openStore();
    const adapter = new FakeAdapter();
    const contact = await createContact(store, 'c1');
    const ids = await enqueueTexts(store, contact, ['eins', 'zwei', 'drei']);
    const { worker, events } = createWorker(store, [adapter]);
    worker.start();
    stoppers.push(() => worker.stop());
    await waitFor(() => adapter.sends.length === 3, 'three sends');
    await worker.stop();
    expect(adapter.textsTo('c1')).toEqual(['eins', 'zwei', 'drei']);
    const row = await outboxRow(store, ids[0]!);
    expect(row.status).toBe('sent');
    expect(row.native_message_id).toBe('fake-1');
    expect(row.sent_at).not.toBeNull();
    expect(row.locked_by).toBeNull();
    expect(events.filter((e) => e.type === 'outbox-changed' && e.status === 'sent')).toHaveLength(3);
  });

  it('wakes at once when something is enqueued in this process', async () => {
    const store = await openStore();
    const adapter = new FakeAdapter();
    const contact = await createContact(store, 'wake');
    await enqueueTexts(store, contact, ['vorher']);
    const { worker } = createWorker(store, [adapter], { pollIntervalMs: 60_000 });
    worker.start();
    stoppers.push(() => worker.stop());
    // Once the first row went out the worker has nothing left to claim and sleeps for its 60 s poll.
    await waitFor(() => adapter.sends.length === 1, 'the first send', 5_000);
    await enqueueTexts(store, contact, ['sofort']);
    await waitFor(() => adapter.sends.length === 2, 'the signalled send', 5_000);
  });

  it('never has two sends in flight to one chat and keeps a chat in order across a retry', async () => {
    const store = await openStore();
    const clock = new TestClock();
    const adapter = new FakeAdapter({ latencyMs: 3 });
    const contact = await createContact(store, 'chat', { now: clock.now() });
    const other = await createContact(store, 'other', { now: clock.now() });
    adapter.failNext({ kind: 'transient' });
    await enqueueTexts(store, contact, ['1', '2', '3'], { now: clock.now() });
    await enqueueTexts(store, other, ['x'], { now: clock.now() });
    const { worker } = createWorker(store, [adapter], { clock });
    await worker.runOnce();
    // "1" failed and waits for its retry; "2" and "3" must not overtake it, the other chat is unaffected.
    expect(adapter.sends.map((s) => s.message.text)).toEqual(['x']);
    expect(await worker.runOnce()).toBe(0);
    clock.advance(1_100);
    while ((await worker.runOnce()) > 0) {}
    expect(adapter.textsTo('chat')).toEqual(['1', '2', '3']);
    expect(adapter.maxInFlightPerChat).toBe(1);
  });

  it('splits an over-long text into parts sent and retried one by one, never repeating a sent part', async () => {
    const store = await openStore();
    const clock = new TestClock();
    const adapter = new FakeAdapter({ capabilities: { maxTextLength: 40 } });
    const contact = await createContact(store, 'long', { now: clock.now() });
    const long = 'Erster Satz über unsere Röstung. Zweiter Satz über den Versand. Dritter Satz über das Abo.';
    await enqueueTexts(store, contact, [long, 'danach'], { now: clock.now() });
    const { worker } = createWorker(store, [adapter], { clock });
    await worker.runOnce();
    expect(adapter.sends).toHaveLength(1);
    // The second part fails once: only it is tried again, the first part is not repeated.
    adapter.failNext({ kind: 'transient' });
    for (let round = 0; round < 20; round += 1) {
      while ((await worker.runOnce()) > 0) {}
      clock.advance(1_100);
    }
    const sent = adapter.textsTo('long');
    expect(sent.at(-1)).toBe('danach');
    const parts = sent.slice(0, -1);
    expect(parts.length).toBeGreaterThanOrEqual(3);
    expect(parts.every((part) => (part ?? '').length <= 40)).toBe(true);
    expect(parts.join(' ')).toBe(long);
    expect(new Set(parts).size).toBe(parts.length);
    expect(adapter.attempts.filter((a) => a.failed)).toHaveLength(1);
  });

  it('honours a 429 retry-after: not sent before, sent after, no attempt counted', async () => {
    const store = await openStore();
    const adapter = new FakeAdapter();
    const contact = await createContact(store, 'slow');
    adapter.failNext({ kind: 'rate-limited', retryAfterMs: 400 });
    const [id] = await enqueueTexts(store, contact, ['bitte warten']);
    const { worker } = createWorker(store, [adapter]);
    worker.start();
    stoppers.push(() => worker.stop());
    await waitFor(() => adapter.sends.length === 1, 'the send after the pause');
    const [limited, succeeded] = adapter.attempts;
    expect(limited!.failed).toBe(true);
    expect(succeeded!.at - limited!.at).toBeGreaterThanOrEqual(400);
    await waitFor(async () => (await outboxRow(store, id!)).status === 'sent', 'status sent');
    expect((await outboxRow(store, id!)).attempts).toBe(1);
  });

  it('retries transient failures with backoff and then succeeds', async () => {
    const store = await openStore();
    const clock = new TestClock();
    const adapter = new FakeAdapter();
    const contact = await createContact(store, 'flaky', { now: clock.now() });
    adapter.failNext(
      { kind: 'transient', message: 'HTTP 502' },
      { kind: 'transient', message: 'ECONNRESET' },
    );
    const [id] = await enqueueTexts(store, contact, ['nochmal'], { now: clock.now() });
    const { worker } = createWorker(store, [adapter], { clock });

    await worker.runOnce();
    let row = await outboxRow(store, id!);
    expect([row.status, row.attempts, row.next_attempt_at - clock.ms]).toEqual(['queued', 1, 1_000]);
    expect(row.last_error).toContain('HTTP 502');
    clock.advance(999);
    expect(await worker.runOnce()).toBe(0);
    clock.advance(1);
    await worker.runOnce();
    row = await outboxRow(store, id!);
    expect([row.status, row.attempts, row.next_attempt_at - clock.ms]).toEqual(['queued', 2, 2_000]);
    clock.advance(2_000);
    await worker.runOnce();
    row = await outboxRow(store, id!);
    expect(row.status).toBe('sent');
    expect(adapter.sends).toHaveLength(1);
  });

  it('gives up after maxAttempts with the last error, and retryOutboxRow queues it again', async () => {
    const store = await openStore();
    const clock = new TestClock();
    const adapter = new FakeAdapter();
    const contact = await createContact(store, 'down', { now: clock.now() });
    adapter.failWhen(() => ({ kind: 'transient', message: 'HTTP 503' }));
    const [id] = await enqueueTexts(store, contact, ['hallo?'], { now: clock.now() });
    const { worker } = createWorker(store, [adapter], { clock, maxAttempts: 3 });
    for (let i = 0; i < 3; i += 1) {
      await worker.runOnce();
      clock.advance(10 * 60_000);
    }
    let row = await outboxRow(store, id!);
    expect(row.status).toBe('failed');
    expect(row.attempts).toBe(3);
    expect(row.last_error).toMatch(/gave up after 3 attempts: .*HTTP 503/);

    adapter.failWhen(() => null);
    expect(await worker.retryOutboxRow(id!)).toBe('queued');
    expect(await worker.retryOutboxRow('nope')).toBe('not-found');
    await worker.runOnce();
    row = await outboxRow(store, id!);
    expect(row.status).toBe('sent');
    expect(await worker.retryOutboxRow(id!)).toBe('not-retryable');
  });

  it('fails a permanent error at once with its reason', async () => {
    const store = await openStore();
    const adapter = new FakeAdapter();
    const contact = await createContact(store, 'blocked');
    adapter.failNext({ kind: 'permanent', message: 'Forbidden: bot was blocked by the user' });
    const [id] = await enqueueTexts(store, contact, ['hi']);
    const { worker, events } = createWorker(store, [adapter]);
    await worker.runOnce();
    const row = await outboxRow(store, id!);
    expect(row.status).toBe('failed');
    expect(row.last_error).toContain('bot was blocked');
    expect(row.failed_at).not.toBeNull();
    expect(events.at(-1)).toMatchObject({ type: 'outbox-changed', status: 'failed', outboxId: id });
    expect(await worker.runOnce()).toBe(0);
  });

  it('holds free-form messages outside the window, substitutes templates, and releases held rows on a new inbound', async () => {
    const store = await openStore();
    const clock = new TestClock();
    const window = { customerServiceWindowHours: 24 };
    const adapter = new FakeAdapter({ name: 'whatsapp-cloud', capabilities: window });
    const contact = await createContact(store, '4915100000001', {
      channel: 'whatsapp-cloud',
      lastInboundAt: new Date(clock.ms - 25 * HOUR),
      now: clock.now(),
    });
    const [free] = await enqueueTexts(store, contact, ['Deine Bestellung ist unterwegs'], {
      now: clock.now(),
    });
    const [templated] = await enqueueTexts(store, contact, ['Erinnerung'], {
      now: clock.now(),
      purpose: 'reminder',
      message: { template: { name: 'event_reminder', language: 'de', parameters: ['Röstkurs'] } },
    });
    const [tagged] = await enqueueTexts(store, contact, ['Agent reply'], {
      now: clock.now(),
      purpose: 'reply',
      message: { tag: 'HUMAN_AGENT' },
    });
    const { worker } = createWorker(store, [adapter], { clock });
    while ((await worker.runOnce()) > 0) {}

    const held = await outboxRow(store, free!);
    expect([held.status, held.last_error, held.held_by]).toEqual([
      'held',
      'outside the 24-hour window',
      'window',
    ]);
    expect((await outboxRow(store, tagged!)).status).toBe('held');
    expect((await outboxRow(store, templated!)).status).toBe('sent');
    expect(adapter.sends.map((s) => s.message)).toEqual([
      { template: { name: 'event_reminder', language: 'de', parameters: ['Röstkurs'] } },
    ]);

    // The customer writes again: the window reopens and the held rows go out.
    const { runtime } = createRuntime(store, {
      capabilities: { 'whatsapp-cloud': { ...adapter.capabilities } },
      now: clock.now,
    });
    await runtime.accept(
      inbound('4915100000001', 'Hallo?', { channel: 'whatsapp-cloud', receivedAt: clock.now() }),
    );
    await runtime.whenIdle();
    expect((await outboxRow(store, free!)).status).toBe('queued');
    while ((await worker.runOnce()) > 0) {}
    expect((await outboxRow(store, free!)).status).toBe('sent');
    expect(adapter.sends.map((s) => s.message.text)).toContain('Deine Bestellung ist unterwegs');
    // HUMAN_AGENT is only for agents' messages; a bot reply with the tag went out now because the window is open.
    expect((await outboxRow(store, tagged!)).status).toBe('sent');
  });

  it('holds a row the platform refuses as outside its window', async () => {
    const store = await openStore();
    const adapter = new FakeAdapter();
    const contact = await createContact(store, 'wc');
    adapter.failNext({ kind: 'window-closed', message: '(#131047) Re-engagement message' });
    const [id] = await enqueueTexts(store, contact, ['x']);
    const { worker } = createWorker(store, [adapter]);
    await worker.runOnce();
    const row = await outboxRow(store, id!);
    expect([row.status, row.held_by]).toEqual(['held', 'platform-window']);
    expect(row.last_error).toContain('131047');
  });

  it('never sends a row a guard cancels, and holds what a guard holds', async () => {
    const store = await openStore();
    const adapter = new FakeAdapter();
    const contact = await createContact(store, 'consent');
    const consent: SendGuard = {
      name: 'consent',
      async check(row) {
        if (row.topic === 'news') return { action: 'cancel', reason: 'no confirmed consent for news' };
        if (row.purpose === 'broadcast') return { action: 'hold', reason: 'waiting for review' };
        return { action: 'send' };
      },
    };
    const { enqueueOutbound } = await import('../../src/outbox/enqueue.js');
    const [cancelled, held, sent] = await enqueueOutbound(store.db, [
      {
        contactId: contact.id,
        conversationId: null,
        channel: 'telegram',
        message: { text: 'news' },
        purpose: 'broadcast',
        topic: 'news',
      },
      {
        contactId: contact.id,
        conversationId: null,
        channel: 'telegram',
        message: { text: 'promo' },
        purpose: 'broadcast',
      },
      {
        contactId: contact.id,
        conversationId: null,
        channel: 'telegram',
        message: { text: 'reply' },
        purpose: 'reply',
      },
    ]);
    const { worker } = createWorker(store, [adapter], { guards: [consent] });
    while ((await worker.runOnce()) > 0) {}
    expect(adapter.sends.map((s) => s.message.text)).toEqual(['reply']);
    expect(await outboxRow(store, cancelled!)).toMatchObject({
      status: 'cancelled',
      last_error: 'consent: no confirmed consent for news',
    });
    expect(await outboxRow(store, held!)).toMatchObject({
      status: 'held',
      held_by: 'consent',
      last_error: 'waiting for review',
    });
    expect((await outboxRow(store, sent!)).status).toBe('sent');
  });

  it('cancels the unsent rows of a source', async () => {
    const store = await openStore();
    const clock = new TestClock();
    const contact = await createContact(store, 'bc', { now: clock.now() });
    const later = new Date(clock.ms + HOUR);
    const { enqueueOutbound } = await import('../../src/outbox/enqueue.js');
    await enqueueOutbound(
      store.db,
      [1, 2, 3].map((n) => ({
        contactId: contact.id,
        conversationId: null,
        channel: 'telegram' as const,
        message: { text: `b${n}` },
        purpose: 'broadcast' as const,
        sourceId: 'broadcast-1',
        notBefore: later,
      })),
      clock.now(),
    );
    const adapter = new FakeAdapter();
    const { worker, events } = createWorker(store, [adapter], { clock });
    expect(await worker.cancelOutboxBySource('broadcast-1')).toBe(3);
    clock.advance(2 * HOUR);
    expect(await worker.runOnce()).toBe(0);
    expect(await statusCounts(store)).toEqual({ cancelled: 3 });
    expect(events.filter((e) => e.type === 'outbox-changed' && e.status === 'cancelled')).toHaveLength(3);
  });

  it('moves delivery statuses forward only', async () => {
    const store = await openStore();
    const adapter = new FakeAdapter();
    const contact = await createContact(store, 'dr');
    const [id, other] = await enqueueTexts(store, contact, ['a', 'b']);
    const { worker } = createWorker(store, [adapter]);
    while ((await worker.runOnce()) > 0) {}
    const at = new Date();
    const report = (
      status: 'sent' | 'delivered' | 'read' | 'failed',
      nativeMessageId = 'fake-1',
      error?: string,
    ) =>
      worker.acceptDeliveryReport({
        channel: 'telegram',
        nativeMessageId,
        status,
        at,
        ...(error ? { error } : {}),
      });

    expect(await report('read')).toBe(1);
    let row = await outboxRow(store, id!);
    expect(row.status).toBe('read');
    expect(row.delivered_at).toBe(at.getTime());
    expect(await report('delivered')).toBe(0);
    expect(await report('sent')).toBe(0);
    expect(await report('failed', 'fake-1', 'late')).toBe(0);
    row = await outboxRow(store, id!);
    expect(row.status).toBe('read');

    expect(await report('failed', 'fake-2', 'user blocked')).toBe(1);
    expect(await outboxRow(store, other!)).toMatchObject({ status: 'failed', last_error: 'user blocked' });
    expect(await report('delivered', 'unknown')).toBe(0);
    expect(await report('delivered', 'fake-1')).toBe(0);
  });

  it('survives a restart with a full outbox: every row sent exactly once', async () => {
    const store = await openStore();
    const adapter = new FakeAdapter({ latencyMs: 2 });
    const contacts = await Promise.all(Array.from({ length: 10 }, (_, i) => createContact(store, `r${i}`)));
    for (const [i, contact] of contacts.entries()) {
      await enqueueTexts(
        store,
        contact,
        Array.from({ length: 15 }, (_, n) => `row-${i}-${n}`),
      );
    }
    const first = createWorker(store, [adapter], { instanceId: 'before-restart' });
    first.worker.start();
    await waitFor(() => adapter.sends.length >= 40, 'some sends before the restart');
    await first.worker.stop();
    const sentBefore = adapter.sends.length;
    expect(sentBefore).toBeLessThan(150);

    const reopened = await handle!.open();
    const second = createWorker(reopened, [adapter], { instanceId: 'after-restart' });
    second.worker.start();
    stoppers.push(() => second.worker.stop());
    await waitFor(() => adapter.sends.length >= 150, 'all rows sent after the restart', 20_000);
    await second.worker.stop();

    const perText = new Map<string, number>();
    for (const send of adapter.sends)
      perText.set(send.message.text!, (perText.get(send.message.text!) ?? 0) + 1);
    expect(perText.size).toBe(150);
    expect([...perText.values()].every((n) => n === 1)).toBe(true);
    expect(await statusCounts(reopened)).toEqual({ sent: 150 });
    // Per chat the order survived the restart.
    expect(adapter.textsTo('r3')).toEqual(Array.from({ length: 15 }, (_, n) => `row-3-${n}`));
  });

  it('reclaims rows of a crashed instance once their lease expired', async () => {
    const store = await openStore();
    const clock = new TestClock();
    const adapter = new FakeAdapter();
    const contact = await createContact(store, 'lease', { now: clock.now() });
    const [id] = await enqueueTexts(store, contact, ['verwaist'], { now: clock.now() });
    await store.db
      .updateTable('outbox')
      .set({ status: 'sending', locked_by: 'crashed', locked_until: clock.ms + 30_000 })
      .where('id', '=', id!)
      .execute();
    const { worker } = createWorker(store, [adapter], { clock });
    expect(await worker.runOnce()).toBe(0);
    clock.advance(30_001);
    expect(await worker.runOnce()).toBe(1);
    expect((await outboxRow(store, id!)).status).toBe('sent');
  });

  it.runIf(dialect === 'postgres')('two workers on one database never send a row twice', async () => {
    const store = await openStore();
    const other = await handle!.open();
    const adapter = new FakeAdapter({ latencyMs: 1 });
    const contacts = await Promise.all(Array.from({ length: 40 }, (_, i) => createContact(store, `p${i}`)));
    for (const [i, contact] of contacts.entries()) {
      await enqueueTexts(
        store,
        contact,
        Array.from({ length: 8 }, (_, n) => `p-${i}-${n}`),
      );
    }
    const a = createWorker(store, [adapter], { instanceId: 'instance-a', pollIntervalMs: 5 });
    const b = createWorker(other, [adapter], { instanceId: 'instance-b', pollIntervalMs: 5 });
    a.worker.start();
    b.worker.start();
    stoppers.push(
      () => a.worker.stop(),
      () => b.worker.stop(),
    );
    await waitFor(() => adapter.sends.length >= 320, 'all 320 rows sent', 30_000);
    await Promise.all([a.worker.stop(), b.worker.stop()]);

    const perText = new Map<string, number>();
    for (const send of adapter.sends)
      perText.set(send.message.text!, (perText.get(send.message.text!) ?? 0) + 1);
    expect(perText.size).toBe(320);
    expect([...perText.values()].filter((n) => n !== 1)).toEqual([]);
    expect(adapter.maxInFlightPerChat).toBe(1);
    const byInstance = a.events.filter((e) => e.type === 'outbox-changed' && e.status === 'sent').length;
    expect(byInstance).toBeGreaterThan(0);
    expect(byInstance).toBeLessThan(320);
  });
});
