/**
 * Live updates: the console's SSE stream shows a customer message within a second — on one instance, and
 * across two instances sharing one PostgreSQL database (message accepted by A, stream connected to B).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { decodeEnvelope, encodeEnvelope } from '../../src/console/live/pg-relay.js';
import { inbound } from '../runtime/helpers.js';
import {
  createTestDatabase,
  dialectsUnderTest,
  notePostgresSkipped,
  type TestStoreHandle,
} from '../support/stores.js';
import { addStaff, ConsoleClient, type ConsoleInstance, startConsoleInstance } from './support.js';

notePostgresSkipped();

interface Notice {
  type: string;
  conversationId: string | null;
  author?: string;
}

/** Reads an SSE response and resolves with the first notice that matches, or rejects after `timeoutMs`. */
async function openStream(client: ConsoleClient) {
  const controller = new AbortController();
  const response = await fetch(`${client.baseUrl}/console/api/events`, {
    headers: { Cookie: client.cookie },
    signal: controller.signal,
  });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toContain('text/event-stream');
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  const notices: Notice[] = [];
  let buffer = '';
  let ready = false;
  const waiters: Array<() => void> = [];
  void (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += decoder.decode(value, { stream: true });
        let end = buffer.indexOf('\n\n');
        while (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          if (block.includes('event: ready')) ready = true;
          const data = block.split('\n').find((line) => line.startsWith('data: '));
          if (block.includes('event: change') && data) notices.push(JSON.parse(data.slice(6)) as Notice);
          for (const wake of waiters.splice(0)) wake();
          end = buffer.indexOf('\n\n');
        }
      }
    } catch {
      // aborted
    }
  })();
  const until = (predicate: () => boolean, timeoutMs: number) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no matching live event within ${timeoutMs} ms`)),
        timeoutMs,
      );
      const check = () => {
        if (predicate()) {
          clearTimeout(timer);
          resolve();
        } else waiters.push(check);
      };
      check();
    });
  await until(() => ready, 5_000);
  return { notices, until, close: () => controller.abort() };
}

describe('live event envelopes', () => {
  it('round-trip with dates and shrink transcript text that would not fit a NOTIFY', () => {
    const message = {
      id: 'm1',
      conversationId: 'c1',
      contactId: 'k1',
      direction: 'in' as const,
      author: 'contact' as const,
      agentId: null,
      text: 'x'.repeat(20_000),
      details: null,
      inboundEventId: null,
      outboxId: null,
      createdAt: new Date(1_700_000_000_000),
    };
    const payload = encodeEnvelope('a', { type: 'message-recorded', conversationId: 'c1', message });
    expect(payload.length).toBeLessThan(8_000);
    const decoded = decodeEnvelope(payload)!;
    expect(decoded.from).toBe('a');
    expect(decoded.event.type === 'message-recorded' && decoded.event.message.createdAt.getTime()).toBe(
      1_700_000_000_000,
    );
    expect(decodeEnvelope('not json')).toBeNull();
  });
});

describe.each(dialectsUnderTest)('live updates on %s', (dialect) => {
  let handle: TestStoreHandle | undefined;
  const instances: ConsoleInstance[] = [];
  afterEach(async () => {
    for (const instance of instances.splice(0)) await instance.stop();
    await handle?.dispose();
    handle = undefined;
  });

  it('streams a new customer message to a signed-in console within a second', async () => {
    handle = await createTestDatabase(dialect);
    const store = await handle.open();
    const a = await startConsoleInstance(store, { instanceId: 'instance-a' });
    instances.push(a);
    await addStaff(store, 'anna@bohnenglueck.de', 'agent');
    const anna = new ConsoleClient(a.baseUrl);
    await anna.login('anna@bohnenglueck.de');
    const stream = await openStream(anna);
    await a.plausch.runtime.accept(inbound('live-1', 'Hallo'));
    await stream.until(
      () => stream.notices.some((n) => n.type === 'message-recorded' && n.author === 'contact'),
      1_000,
    );
    stream.close();
  });

  it.skipIf(dialect !== 'postgres')(
    'carries events from instance A to a console connected to instance B',
    async () => {
      handle = await createTestDatabase(dialect);
      const storeA = await handle.open();
      const storeB = await handle.open();
      const a = await startConsoleInstance(storeA, { instanceId: 'instance-a' });
      instances.push(a);
      const b = await startConsoleInstance(storeB, { instanceId: 'instance-b', now: a.now });
      instances.push(b);
      await addStaff(storeA, 'anna@bohnenglueck.de', 'agent');
      const onB = new ConsoleClient(b.baseUrl);
      expect((await onB.login('anna@bohnenglueck.de')).status).toBe(200);
      const stream = await openStream(onB);

      // Only A's adapter receives the message; B has never heard of it locally.
      await a.plausch.runtime.accept(inbound('cross-1', 'Ich habe eine Beschwerde'));
      await stream.until(
        () => stream.notices.some((n) => n.type === 'message-recorded' && n.author === 'contact'),
        1_000,
      );
      await stream.until(() => stream.notices.some((n) => n.type === 'conversation-changed'), 3_000);
      // B's own events are not echoed back to it twice.
      const contactNotices = stream.notices.filter(
        (n) => n.type === 'message-recorded' && n.author === 'contact',
      );
      expect(contactNotices).toHaveLength(1);
      stream.close();
    },
  );
});
