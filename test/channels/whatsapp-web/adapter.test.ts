import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SendError, type SendTarget } from '../../../src/channels/types.js';
import {
  createWhatsAppWebAdapter,
  normalizeWhatsAppWebMessage,
  type WhatsAppWebAdapter,
  type WhatsAppWebClient,
  type WhatsAppWebRuntime,
} from '../../../src/channels/whatsapp-web/index.js';
import { loadConfig } from '../../../src/config.js';
import { silentLogger } from '../../../src/logger.js';
import type { Contact } from '../../../src/model/index.js';
import { RecordingSink } from '../telegram/recording-sink.js';

/** Stands in for whatsapp-web.js's Client: no browser, no phone. */
class FakeClient extends EventEmitter implements WhatsAppWebClient {
  initialized = false;
  destroyed = false;
  readonly sent: Array<{ chatId: string; content: unknown; options: Record<string, unknown> | undefined }> =
    [];
  sendFailure: Error | null = null;
  async initialize() {
    this.initialized = true;
  }
  async destroy() {
    this.destroyed = true;
  }
  async sendMessage(chatId: string, content: unknown, options?: Record<string, unknown>) {
    if (this.sendFailure) throw this.sendFailure;
    this.sent.push({ chatId, content, options });
    return { id: { _serialized: `true_${chatId}_OUT${this.sent.length}` } };
  }
  async getState() {
    return 'CONNECTED';
  }
}

class FakeRuntime implements WhatsAppWebRuntime {
  readonly clients: FakeClient[] = [];
  readonly mediaLoaded: string[] = [];
  createClient() {
    const client = new FakeClient();
    this.clients.push(client);
    return client;
  }
  async loadMedia(url: string) {
    this.mediaLoaded.push(url);
    return { mimetype: 'image/jpeg', data: 'AAAA', url };
  }
  get latest(): FakeClient {
    const client = this.clients.at(-1);
    if (!client) throw new Error('no client built');
    return client;
  }
}

function incoming(overrides: Record<string, unknown> = {}) {
  return {
    id: {
      fromMe: false,
      remote: '491701234567@c.us',
      id: '3EB0ABC',
      _serialized: 'false_491701234567@c.us_3EB0ABC',
    },
    from: '491701234567@c.us',
    to: '4930999@c.us',
    body: 'Habt ihr entkoffeinierten Kaffee?',
    type: 'chat',
    hasMedia: false,
    fromMe: false,
    isStatus: false,
    timestamp: 1_700_000_000,
    _data: { notifyName: 'Jonas' },
    ...overrides,
  };
}

const contact: Contact = {
  id: 'c1',
  channel: 'whatsapp-web',
  channelContactId: '491701234567@c.us',
  displayName: 'Jonas',
  firstName: null,
  lastName: null,
  username: null,
  phone: null,
  locale: 'de',
  tags: [],
  attributes: {},
  replyAddress: { chatId: '491701234567@c.us' },
  createdAt: new Date(),
  lastInboundAt: null,
};
const target: SendTarget = { contact, conversationId: 'conv1' };

let adapter: WhatsAppWebAdapter | null = null;
afterEach(async () => {
  await adapter?.stop();
  adapter = null;
  vi.useRealTimers();
});

function makeAdapter(runtime: FakeRuntime, printed: string[] = [], extra: Record<string, unknown> = {}) {
  const config = loadConfig({
    WHATSAPP_WEB_ENABLED: 'true',
    WHATSAPP_WEB_SESSION_DIR: '/tmp/plausch-wweb-test-session',
  });
  const created = createWhatsAppWebAdapter(config, silentLogger, {
    runtime,
    printQr: (text) => printed.push(text),
    acceptRetryDelaysMs: [5, 5],
    ...extra,
  });
  adapter = created;
  return created;
}

describe('WhatsApp Web: normalizing messages', () => {
  const at = new Date('2025-05-01T10:00:00Z');

  it('turns a text message into an InboundMessage', () => {
    const result = normalizeWhatsAppWebMessage(incoming(), at);
    expect(result).toMatchObject({
      kind: 'message',
      message: {
        channel: 'whatsapp-web',
        nativeId: 'false_491701234567@c.us_3EB0ABC',
        contactNativeId: '491701234567@c.us',
        text: 'Habt ihr entkoffeinierten Kaffee?',
        profile: { displayName: 'Jonas', phone: '+491701234567' },
        replyAddress: { chatId: '491701234567@c.us' },
        receivedAt: at,
      },
    });
  });

  it('keeps @lid senders as they are and does not take them for phone numbers', () => {
    const result = normalizeWhatsAppWebMessage(incoming({ from: '12345678901234@lid' }), at);
    expect(result.kind).toBe('message');
    if (result.kind !== 'message') return;
    expect(result.message.contactNativeId).toBe('12345678901234@lid');
    expect(result.message.profile?.phone).toBeUndefined();
  });

  it('ignores own messages, groups and status updates', () => {
    expect(normalizeWhatsAppWebMessage(incoming({ fromMe: true }), at).kind).toBe('ignored');
    expect(normalizeWhatsAppWebMessage(incoming({ from: '12036304@g.us' }), at).kind).toBe('ignored');
    expect(normalizeWhatsAppWebMessage(incoming({ from: 'status@broadcast', isStatus: true }), at).kind).toBe(
      'ignored',
    );
    expect(normalizeWhatsAppWebMessage({ nonsense: true }, at).kind).toBe('ignored');
  });

  it('references media by message id with the caption as text', () => {
    const result = normalizeWhatsAppWebMessage(
      incoming({
        type: 'image',
        hasMedia: true,
        body: 'Mein Latte Art',
        _data: { notifyName: 'Jonas', mimetype: 'image/jpeg' },
      }),
      at,
    );
    expect(result).toMatchObject({
      kind: 'message',
      message: {
        text: 'Mein Latte Art',
        media: {
          kind: 'image',
          ref: 'false_491701234567@c.us_3EB0ABC',
          mimeType: 'image/jpeg',
          caption: 'Mein Latte Art',
        },
      },
    });
    const voice = normalizeWhatsAppWebMessage(incoming({ type: 'ptt', hasMedia: true, body: '' }), at);
    expect(voice).toMatchObject({ kind: 'message', message: { media: { kind: 'audio' } } });
  });
});

describe('WhatsApp Web adapter', () => {
  it('records incoming messages in order and skips the ignored ones', async () => {
    const runtime = new FakeRuntime();
    const whatsapp = makeAdapter(runtime);
    const sink = new RecordingSink();
    await whatsapp.start(sink);
    expect(runtime.latest.initialized).toBe(true);
    runtime.latest.emit('message', incoming({ fromMe: true }));
    runtime.latest.emit('message', incoming({ id: { _serialized: 'm1' }, body: 'eins' }));
    runtime.latest.emit(
      'message',
      incoming({ id: { _serialized: 'g1' }, from: '1203@g.us', body: 'gruppe' }),
    );
    runtime.latest.emit('message', incoming({ id: { _serialized: 'm2' }, body: 'zwei' }));
    await sink.waitForMessages(2);
    expect(sink.messages.map((m) => m.text)).toEqual(['eins', 'zwei']);
    expect(sink.attempts).toBe(2);
  });

  it('retries a message the sink failed to record', async () => {
    const runtime = new FakeRuntime();
    const whatsapp = makeAdapter(runtime);
    const sink = new RecordingSink();
    sink.failNext = 2;
    await whatsapp.start(sink);
    runtime.latest.emit('message', incoming());
    await sink.waitForMessages(1);
    expect(sink.attempts).toBe(3);
  });

  it('keeps the QR code for the console, prints it, and forgets it once ready', async () => {
    const runtime = new FakeRuntime();
    const printed: string[] = [];
    const whatsapp = makeAdapter(runtime, printed);
    await whatsapp.start(new RecordingSink());
    expect(whatsapp.health()).toEqual({ state: 'starting', detail: 'starting' });
    expect(whatsapp.currentQrCode()).toBeNull();
    runtime.latest.emit('qr', '2@abcdefghijklmnop,qrstuvwxyz==,1234567890==');
    await vi.waitFor(() => expect(whatsapp.currentQrCode()).toMatch(/^data:image\/png;base64,/));
    expect(whatsapp.health()).toEqual({ state: 'starting', detail: 'waiting for QR scan' });
    expect(printed[0]).toContain('Scan this QR code');
    runtime.latest.emit('authenticated');
    runtime.latest.emit('ready');
    expect(whatsapp.currentQrCode()).toBeNull();
    expect(whatsapp.health().state).toBe('ready');
  });

  it('sends buttons as numbered text options and media from a URL with a caption', async () => {
    const runtime = new FakeRuntime();
    const whatsapp = makeAdapter(runtime);
    await whatsapp.start(new RecordingSink());
    await expect(whatsapp.send(target, { text: 'x' })).rejects.toMatchObject({ kind: 'transient' });
    runtime.latest.emit('ready');

    const result = await whatsapp.send(target, {
      text: 'Wobei kann ich helfen?',
      buttons: [
        { label: 'Öffnungszeiten', payload: 'hours' },
        { label: 'Bestellung', payload: 'order' },
      ],
      link: { url: 'https://shop.example.com', label: 'Shop' },
    });
    expect(runtime.latest.sent[0]).toMatchObject({
      chatId: '491701234567@c.us',
      content: 'Wobei kann ich helfen?\n\n1) Öffnungszeiten\n2) Bestellung\nShop: https://shop.example.com',
    });
    expect(result.nativeMessageId).toBe('true_491701234567@c.us_OUT1');

    await whatsapp.send(target, {
      text: 'Frisch geröstet',
      media: { kind: 'image', ref: 'https://cdn.example.com/b.jpg' },
    });
    expect(runtime.mediaLoaded).toEqual(['https://cdn.example.com/b.jpg']);
    expect(runtime.latest.sent[1]).toMatchObject({
      content: { url: 'https://cdn.example.com/b.jpg' },
      options: { caption: 'Frisch geröstet' },
    });
    expect(runtime.latest.sent).toHaveLength(2);
  });

  it('maps send failures to SendError kinds', async () => {
    const runtime = new FakeRuntime();
    const whatsapp = makeAdapter(runtime);
    await whatsapp.start(new RecordingSink());
    runtime.latest.emit('ready');
    runtime.latest.sendFailure = new Error('Evaluation failed: Error: invalid wid');
    const permanent = await whatsapp.send(target, { text: 'x' }).catch((e: unknown) => e);
    expect(permanent).toBeInstanceOf(SendError);
    expect(permanent).toMatchObject({ kind: 'permanent' });
    runtime.latest.sendFailure = new Error('Protocol error (Runtime.callFunctionOn): Session closed.');
    await expect(whatsapp.send(target, { text: 'x' })).rejects.toMatchObject({ kind: 'transient' });
    runtime.latest.sendFailure = null;
    await expect(
      whatsapp.send(target, { media: { kind: 'image', ref: 'file:///etc/passwd' } }),
    ).rejects.toMatchObject({
      kind: 'permanent',
    });
  });

  it('reconnects after a disconnect with exponential backoff, and resets after ready', async () => {
    vi.useFakeTimers({ now: new Date('2025-05-01T10:00:00Z') });
    const runtime = new FakeRuntime();
    const whatsapp = makeAdapter(runtime, [], { now: () => new Date() });
    await whatsapp.start(new RecordingSink());
    runtime.latest.emit('ready');

    runtime.latest.emit('disconnected', 'CONFLICT');
    expect(runtime.clients[0]?.destroyed).toBe(true);
    expect(whatsapp.health()).toEqual({ state: 'degraded', detail: 'reconnecting in 1s' });
    await vi.advanceTimersByTimeAsync(999);
    expect(runtime.clients).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(runtime.clients).toHaveLength(2);
    expect(runtime.latest.initialized).toBe(true);

    // Fails again before ready: the delay doubles.
    runtime.latest.emit('disconnected', 'UNPAIRED_IDLE');
    expect(whatsapp.health().detail).toBe('reconnecting in 2s');
    await vi.advanceTimersByTimeAsync(2000);
    expect(runtime.clients).toHaveLength(3);
    runtime.latest.emit('disconnected', 'TIMEOUT');
    expect(whatsapp.health().detail).toBe('reconnecting in 4s');
    await vi.advanceTimersByTimeAsync(4000);
    expect(runtime.clients).toHaveLength(4);

    // An event from a replaced client changes nothing.
    runtime.clients[0]?.emit('ready');
    expect(whatsapp.health().state).toBe('starting');

    runtime.latest.emit('ready');
    expect(whatsapp.health().state).toBe('ready');
    runtime.latest.emit('disconnected', 'CONFLICT');
    expect(whatsapp.health().detail).toBe('reconnecting in 1s');
  });

  it('caps the backoff at five minutes', async () => {
    vi.useFakeTimers({ now: new Date('2025-05-01T10:00:00Z') });
    const runtime = new FakeRuntime();
    const whatsapp = makeAdapter(runtime, [], { now: () => new Date() });
    await whatsapp.start(new RecordingSink());
    for (let i = 0; i < 12; i += 1) {
      runtime.latest.emit('disconnected', 'NAVIGATION');
      await vi.advanceTimersByTimeAsync(300_000);
    }
    runtime.latest.emit('disconnected', 'NAVIGATION');
    expect(whatsapp.health().detail).toBe('reconnecting in 300s');
  });

  it('says a new QR scan is needed after a logout on the phone', async () => {
    vi.useFakeTimers({ now: new Date('2025-05-01T10:00:00Z') });
    const runtime = new FakeRuntime();
    const whatsapp = makeAdapter(runtime, [], { now: () => new Date() });
    await whatsapp.start(new RecordingSink());
    runtime.latest.emit('ready');
    runtime.latest.emit('disconnected', 'LOGOUT');
    expect(whatsapp.health().detail).toContain('new QR scan needed');
    await vi.advanceTimersByTimeAsync(1000);
    runtime.latest.emit('qr', 'new-qr-payload');
    await vi.waitFor(() => expect(whatsapp.currentQrCode()).not.toBeNull());
    expect(whatsapp.health().detail).toBe('logged out on the phone: waiting for QR scan');
  });

  it('builds wa.me links when the number is configured', () => {
    const config = loadConfig({ WHATSAPP_WEB_ENABLED: 'true', WHATSAPP_NUMBER: '+49 170 1234567' });
    const whatsapp = createWhatsAppWebAdapter(config, silentLogger, { runtime: new FakeRuntime() });
    expect(whatsapp.deepLink?.('ref abc')).toBe('https://wa.me/491701234567?text=ref%20abc');
  });
});
