import vm from 'node:vm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SendError, type SendTarget } from '../../../src/channels/types.js';
import { createWebChatAdapter, type WebChatAdapter } from '../../../src/channels/webchat/index.js';
import { loadConfig } from '../../../src/config.js';
import { silentLogger } from '../../../src/logger.js';
import type { Contact } from '../../../src/model/index.js';
import type { Store } from '../../../src/store/database.js';
import {
  createTestDatabase,
  dialectsUnderTest,
  notePostgresSkipped,
  type TestStoreHandle,
} from '../../support/stores.js';
import { RecordingSink, type RouteServer, serveRoutes } from '../telegram/recording-sink.js';

notePostgresSkipped();

const SESSION = 'sessABCDEFGHIJKL_0123';

function contact(sessionId = SESSION): Contact {
  return {
    id: 'c1',
    channel: 'webchat',
    channelContactId: sessionId,
    displayName: null,
    firstName: null,
    lastName: null,
    username: null,
    phone: null,
    locale: 'de',
    tags: [],
    attributes: {},
    replyAddress: { sessionId },
    createdAt: new Date(),
    lastInboundAt: null,
  };
}
const target = (sessionId = SESSION): SendTarget => ({
  contact: contact(sessionId),
  conversationId: 'conv1',
});

interface SseEvent {
  id?: string;
  event: string;
  data: string;
}

/** Reads a Server-Sent Events stream over fetch, as EventSource would. */
class SseReader {
  readonly events: SseEvent[] = [];
  private buffer = '';
  private readonly done: Promise<void>;
  private constructor(
    readonly response: Response,
    private readonly controller: AbortController,
  ) {
    this.done = this.pump().catch(() => {});
  }

  static async open(url: string, headers: Record<string, string> = {}): Promise<SseReader> {
    const controller = new AbortController();
    const response = await fetch(url, { headers, signal: controller.signal });
    return new SseReader(response, controller);
  }

  private async pump() {
    const reader = this.response.body!.getReader();
    const decoder = new TextDecoder();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      this.buffer += decoder.decode(value, { stream: true });
      let end = this.buffer.indexOf('\n\n');
      while (end >= 0) {
        const block = this.buffer.slice(0, end);
        this.buffer = this.buffer.slice(end + 2);
        const event: SseEvent = { event: 'message', data: '' };
        let hasData = false;
        for (const line of block.split('\n')) {
          if (line.startsWith('id: ')) event.id = line.slice(4);
          else if (line.startsWith('event: ')) event.event = line.slice(7);
          else if (line.startsWith('data: ')) {
            event.data += line.slice(6);
            hasData = true;
          }
        }
        if (hasData) this.events.push(event);
        end = this.buffer.indexOf('\n\n');
      }
    }
  }

  messages(): Array<{ id: number; payload: Record<string, unknown> }> {
    return this.events
      .filter((e) => e.event === 'message')
      .map((e) => ({ id: Number(e.id), payload: JSON.parse(e.data) as Record<string, unknown> }));
  }

  async waitFor(predicate: (events: SseEvent[]) => boolean, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.events)) {
      if (Date.now() > deadline)
        throw new Error(`SSE: condition not met; got ${JSON.stringify(this.events)}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  async close() {
    this.controller.abort();
    await this.done;
  }
}

describe.each(dialectsUnderTest)('web chat adapter (%s)', (dialect) => {
  let handle: TestStoreHandle;
  let store: Store;
  let adapter: WebChatAdapter;
  let sink: RecordingSink;
  let server: RouteServer;
  const readers: SseReader[] = [];

  beforeEach(async () => {
    handle = await createTestDatabase(dialect);
    store = await handle.open();
    sink = new RecordingSink();
    adapter = createWebChatAdapter(loadConfig({ PUBLIC_URL: 'https://chat.example.com/' }), silentLogger, {
      store,
      rateLimit: { burst: 3, perSecond: 0.5 },
      pollIntervalMs: 50,
    });
    await adapter.start(sink);
    server = await serveRoutes(adapter.routes);
  });

  afterEach(async () => {
    await Promise.all(readers.splice(0).map((r) => r.close()));
    await adapter?.stop();
    await server?.close();
    await handle?.dispose();
  });

  const postMessage = (body: unknown, contentType = 'text/plain;charset=UTF-8') =>
    fetch(`${server.url}/webchat/messages`, {
      method: 'POST',
      headers: { 'content-type': contentType },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  const openStream = async (query = '', headers: Record<string, string> = {}) => {
    const reader = await SseReader.open(`${server.url}/webchat/events?session=${SESSION}${query}`, headers);
    readers.push(reader);
    return reader;
  };

  it('hands a posted message to the sink, deduping a retried POST', async () => {
    const body = {
      sessionId: SESSION,
      messageId: '6f1c2a7e-2b1d-4a51-9a3e-0c2f4b7d9e10',
      text: 'Habt ihr Hafermilch?',
      locale: 'de-DE',
    };
    const first = await postMessage(body);
    expect(first.status).toBe(202);
    expect(await first.json()).toEqual({ status: 'accepted' });
    const retry = await postMessage(body, 'application/json');
    expect(retry.status).toBe(202);
    expect(await retry.json()).toEqual({ status: 'duplicate' });
    expect(sink.messages).toHaveLength(1);
    expect(sink.messages[0]).toMatchObject({
      channel: 'webchat',
      nativeId: `${SESSION}:6f1c2a7e-2b1d-4a51-9a3e-0c2f4b7d9e10`,
      contactNativeId: SESSION,
      text: 'Habt ihr Hafermilch?',
      profile: { locale: 'de-DE' },
      replyAddress: { sessionId: SESSION },
    });
  });

  it('passes button payloads and chat starts with their payload', async () => {
    await postMessage({
      sessionId: SESSION,
      messageId: 'msg-00000001',
      start: true,
      startPayload: 'ref_anna',
    });
    await postMessage({
      sessionId: SESSION,
      messageId: 'msg-00000002',
      text: 'Öffnungszeiten',
      payload: 'hours',
    });
    expect(sink.messages[0]).toMatchObject({ isStart: true, startPayload: 'ref_anna' });
    expect(sink.messages[1]).toMatchObject({ text: 'Öffnungszeiten', buttonPayload: 'hours' });
  });

  it('answers 400 to bad input and records nothing', async () => {
    const bad: unknown[] = [
      '{"sessionId": ',
      { sessionId: 'short', messageId: 'msg-00000001', text: 'x' },
      { sessionId: SESSION, text: 'no message id' },
      { sessionId: SESSION, messageId: 'msg-00000001' },
      { sessionId: SESSION, messageId: 'msg-00000001', text: '   ' },
      { sessionId: SESSION, messageId: 'msg-00000001', text: 'x'.repeat(4001) },
      { sessionId: SESSION, messageId: 'msg-00000001', text: 'x', extra: true },
      { sessionId: SESSION, messageId: 'msg-00000001', start: true, startPayload: 'no spaces allowed' },
      [1, 2, 3],
    ];
    for (const body of bad) {
      const response = await postMessage(body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(((await response.json()) as { error: string }).error).toBeTruthy();
    }
    expect(sink.attempts).toBe(0);
    expect((await fetch(`${server.url}/webchat/events?session=bad`)).status).toBe(400);
    expect((await fetch(`${server.url}/webchat/events?session=${SESSION}&lastEventId=-1`)).status).toBe(400);
  });

  it('limits messages per session with 429 and Retry-After', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      const response = await postMessage({ sessionId: SESSION, messageId: `burst-000${i}`, text: `n${i}` });
      statuses.push(response.status);
      if (response.status === 429) expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    expect(statuses).toEqual([202, 202, 202, 429, 429]);
    // Another session is not affected.
    const other = await postMessage({
      sessionId: 'otherSessionABCDEFGH',
      messageId: 'msg-00000009',
      text: 'hi',
    });
    expect(other.status).toBe(202);
  });

  it('answers 500 when recording fails so the widget retries', async () => {
    sink.failNext = 1;
    const body = { sessionId: SESSION, messageId: 'msg-00000077', text: 'Hallo' };
    expect((await postMessage(body)).status).toBe(500);
    expect((await postMessage(body)).status).toBe(202);
    expect(sink.messages).toHaveLength(1);
  });

  it('pushes a sent reply onto the open stream, with buttons', async () => {
    const stream = await openStream();
    expect(stream.response.headers.get('content-type')).toContain('text/event-stream');
    const result = await adapter.send(target(), {
      text: 'Wir haben Di–Sa 9–18 Uhr geöffnet.',
      buttons: [
        { label: 'Danke', payload: 'thanks' },
        { label: 'Shop', url: 'https://shop.example.com' },
      ],
    });
    await stream.waitFor((events) => events.some((e) => e.event === 'message'));
    const [message] = stream.messages();
    expect(message?.id).toBe(1);
    expect(message?.payload).toMatchObject({
      type: 'message',
      text: 'Wir haben Di–Sa 9–18 Uhr geöffnet.',
      buttons: [
        { label: 'Danke', payload: 'thanks' },
        { label: 'Shop', url: 'https://shop.example.com' },
      ],
    });
    expect(result.nativeMessageId).toBe(`${SESSION}:1`);
  });

  it('forwards typing to open streams without storing it', async () => {
    const stream = await openStream();
    await adapter.sendTyping?.(target());
    await stream.waitFor((events) => events.some((e) => e.event === 'typing'));
    const replay = await openStream();
    // A message sent now reaches the new stream; a stored typing event would have been replayed before it.
    await adapter.send(target(), { text: 'danach' });
    await replay.waitFor((events) => events.length >= 1);
    expect(replay.events.map((e) => e.event)).not.toContain('typing');
    expect(replay.messages().map((m) => m.payload.text)).toEqual(['danach']);
  });

  it('replays what a reconnecting widget missed after Last-Event-ID, and nothing twice', async () => {
    const stream = await openStream();
    await adapter.send(target(), { text: 'eins' });
    await stream.waitFor((events) => events.length === 1);
    await stream.close();

    await adapter.send(target(), { text: 'zwei' });
    await adapter.send(target(), { text: 'drei' });

    const resumed = await openStream('', { 'last-event-id': '1' });
    await resumed.waitFor((events) => events.length === 2);
    expect(resumed.messages().map((m) => [m.id, m.payload.text])).toEqual([
      [2, 'zwei'],
      [3, 'drei'],
    ]);
    await adapter.send(target(), { text: 'vier' });
    await resumed.waitFor((events) => events.length === 3);
    // One more message after it: a duplicate of "vier" would have arrived before "fünf".
    await adapter.send(target(), { text: 'fünf' });
    await resumed.waitFor((events) => events.some((e) => Number(e.id) === 5));
    expect(resumed.messages().map((m) => m.id)).toEqual([2, 3, 4, 5]);

    // A reloaded page passes the id in the query instead.
    const reloaded = await openStream('&lastEventId=3');
    await reloaded.waitFor((events) => events.length === 2);
    expect(reloaded.messages().map((m) => m.payload.text)).toEqual(['vier', 'fünf']);
  });

  it('delivers events written by another instance through polling', async () => {
    const stream = await openStream();
    const other = createWebChatAdapter(loadConfig({}), silentLogger, { store: await handle.open() });
    await other.send(target(), { text: 'von Instanz B' });
    await stream.waitFor((events) => events.length === 1);
    expect(stream.messages()[0]?.payload.text).toBe('von Instanz B');
  });

  it('numbers concurrent sends to one session without gaps or collisions', async () => {
    await Promise.all(Array.from({ length: 8 }, (_, i) => adapter.send(target(), { text: `m${i}` })));
    const stream = await openStream();
    await stream.waitFor((events) => events.length === 8);
    expect(stream.messages().map((m) => m.id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('splits long texts and refuses an invalid target or empty message', async () => {
    const text = 'Frisch gerösteter Kaffee schmeckt am besten innerhalb von vier Wochen. '.repeat(120).trim();
    await adapter.send(target(), { text, buttons: [{ label: 'Mehr', payload: 'more' }] });
    const stream = await openStream();
    await stream.waitFor((events) => events.length === 3);
    const messages = stream.messages();
    for (const m of messages) expect(String(m.payload.text).length).toBeLessThanOrEqual(4000);
    expect(messages.map((m) => m.payload.text).join(' ')).toBe(text);
    expect(messages[2]?.payload.buttons).toBeDefined();
    expect(messages[0]?.payload.buttons).toBeUndefined();

    await expect(adapter.send(target('bad id'), { text: 'x' })).rejects.toBeInstanceOf(SendError);
    await expect(adapter.send(target(), {})).rejects.toMatchObject({ kind: 'permanent' });
  });

  it('serves the widget script and the demo page', async () => {
    const widget = await fetch(`${server.url}/webchat/widget.js`);
    expect(widget.status).toBe(200);
    expect(widget.headers.get('content-type')).toBe('application/javascript; charset=utf-8');
    const source = await widget.text();
    expect(() => new vm.Script(source)).not.toThrow();
    expect(source).toContain('EventSource');
    expect(source).toContain('aria-expanded');

    const page = await fetch(`${server.url}/`);
    expect(page.headers.get('content-type')).toContain('text/html');
    const html = await page.text();
    expect(html).toContain('Kaffeerösterei Bohnenglück');
    expect(html).toContain('<script src="/webchat/widget.js"');
  });

  it('builds deep links to the demo page and closes streams on stop', async () => {
    expect(adapter.deepLink?.('ref_x')).toBe('https://chat.example.com/?plausch_start=ref_x');
    const stream = await openStream();
    await stream.waitFor(() => adapter.openStreams === 1);
    await adapter.stop();
    await stream.waitFor(() => adapter.openStreams === 0);
    expect(adapter.health().state).toBe('down');
  });
});
