import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTelegramAdapter, type TelegramAdapter } from '../../../src/channels/telegram/index.js';
import { SendError, type SendTarget } from '../../../src/channels/types.js';
import { loadConfig } from '../../../src/config.js';
import { silentLogger } from '../../../src/logger.js';
import type { Contact } from '../../../src/model/index.js';
import {
  BLOCKED_BY_USER,
  CHAT_NOT_FOUND,
  FakeTelegramBotApi,
  tooManyRequests,
} from '../../fakes/telegram-bot-api.js';
import { RecordingSink, type RouteServer, serveRoutes } from './recording-sink.js';

const SECRET = 'webhook-Secret_123';

function contact(chatId: number): Contact {
  return {
    id: 'c1',
    channel: 'telegram',
    channelContactId: String(chatId),
    displayName: 'Anna',
    firstName: 'Anna',
    lastName: null,
    username: null,
    phone: null,
    locale: 'de',
    tags: [],
    attributes: {},
    replyAddress: { chatId },
    createdAt: new Date(),
    lastInboundAt: null,
  };
}
const target = (chatId = 4242): SendTarget => ({ contact: contact(chatId), conversationId: 'conv1' });

function textUpdate(text: string, chatId = 4242) {
  const entities = text.startsWith('/')
    ? [{ type: 'bot_command', offset: 0, length: text.split(' ')[0]!.length }]
    : undefined;
  return {
    message: {
      message_id: 1,
      from: { id: chatId, is_bot: false, first_name: 'Anna', username: 'anna_k', language_code: 'de' },
      chat: { id: chatId, type: 'private' },
      date: 1_700_000_000,
      text,
      ...(entities ? { entities } : {}),
    },
  };
}

let fake: FakeTelegramBotApi;
let sink: RecordingSink;
let adapter: TelegramAdapter | null = null;
let server: RouteServer | null = null;

beforeEach(async () => {
  fake = await FakeTelegramBotApi.start();
  sink = new RecordingSink();
});

afterEach(async () => {
  await adapter?.stop();
  adapter = null;
  await server?.close();
  server = null;
  await fake.close();
});

function makeAdapter(extraEnv: Record<string, string> = {}): TelegramAdapter {
  const config = loadConfig({
    TELEGRAM_BOT_TOKEN: fake.token,
    TELEGRAM_API_ROOT: fake.apiRoot,
    PUBLIC_URL: 'https://bot.example.com',
    ...extraEnv,
  });
  const created = createTelegramAdapter(config, silentLogger, { pollTimeoutSeconds: 1, retryDelayMs: 5 });
  adapter = created;
  return created;
}

describe('Telegram adapter: configuration', () => {
  it('refuses to build without a bot token, saying which variable is missing', () => {
    expect(() => createTelegramAdapter(loadConfig({}), silentLogger)).toThrow(/TELEGRAM_BOT_TOKEN/);
  });
});

describe('Telegram adapter: long polling', () => {
  it('hands a text update to the sink and sends a reply with an inline keyboard', async () => {
    const telegram = makeAdapter();
    expect(telegram.mode).toBe('polling');
    expect(telegram.routes).toHaveLength(0);
    await telegram.start(sink);
    expect(fake.callsOf('deleteWebhook')).toHaveLength(1);

    const update = fake.pushUpdate(textUpdate('Wann habt ihr offen?'));
    const [message] = await sink.waitForMessages(1);
    expect(message).toMatchObject({
      channel: 'telegram',
      nativeId: String(update.update_id),
      contactNativeId: '4242',
      text: 'Wann habt ihr offen?',
      profile: { firstName: 'Anna', username: 'anna_k', locale: 'de', displayName: 'Anna' },
      replyAddress: { chatId: 4242 },
    });
    expect(telegram.health().state).toBe('ready');

    const result = await telegram.send(target(), {
      text: 'Wobei kann ich helfen?',
      buttons: [
        { label: 'Öffnungszeiten', payload: 'hours' },
        { label: 'Bestellung', payload: 'order' },
        { label: 'Zum Shop', url: 'https://shop.example.com' },
      ],
    });
    const [sent] = fake.callsOf('sendMessage');
    expect(sent?.body).toMatchObject({
      chat_id: 4242,
      text: 'Wobei kann ich helfen?',
      reply_markup: {
        inline_keyboard: [
          [
            { text: 'Öffnungszeiten', callback_data: 'hours' },
            { text: 'Bestellung', callback_data: 'order' },
          ],
          [{ text: 'Zum Shop', url: 'https://shop.example.com' }],
        ],
      },
    });
    expect(result.nativeMessageId).toBe('1');
  });

  it('confirms the offset only after the batch was recorded, retrying a failed recording', async () => {
    const telegram = makeAdapter();
    sink.failNext = 2;
    await telegram.start(sink);
    const first = fake.pushUpdate(textUpdate('eins'));
    const second = fake.pushUpdate(textUpdate('zwei'));
    await sink.waitForMessages(2);
    expect(sink.messages.map((m) => m.text)).toEqual(['eins', 'zwei']);
    // Two failed attempts happened before the first update was recorded: nothing was skipped.
    expect(sink.attempts).toBeGreaterThanOrEqual(4);
    await fake.waitForCalls('getUpdates', fake.callsOf('getUpdates').length + 1);
    expect(fake.confirmedOffset).toBe(second.update_id + 1);
    expect(first.update_id).toBeLessThan(second.update_id);
  });

  it('redelivers an unconfirmed batch after a restart and the sink dedupes it', async () => {
    const telegram = makeAdapter();
    sink.failNext = 1_000; // recording keeps failing: the batch must stay unconfirmed
    await telegram.start(sink);
    const attemptsBefore = sink.attempts;
    const update = fake.pushUpdate(textUpdate('bleibt erhalten'));
    // The poller fetched the update and failed to record it at least once.
    const deadline = Date.now() + 10_000;
    while (sink.attempts === attemptsBefore) {
      if (Date.now() > deadline) throw new Error('the update never reached the sink');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await telegram.stop();
    expect(fake.confirmedOffset).toBeLessThanOrEqual(update.update_id);

    sink.failNext = 0;
    const again = makeAdapter();
    await again.start(sink);
    const [message] = await sink.waitForMessages(1);
    expect(message?.text).toBe('bleibt erhalten');
  });

  it('recognises /start with a valid payload and ignores an invalid one', async () => {
    const telegram = makeAdapter();
    await telegram.start(sink);
    fake.pushUpdate(textUpdate('/start ref_Anna-42'));
    fake.pushUpdate(textUpdate('/start <script>'));
    fake.pushUpdate(textUpdate('/start'));
    const messages = await sink.waitForMessages(3);
    expect(messages[0]).toMatchObject({ isStart: true, startPayload: 'ref_Anna-42' });
    expect(messages[0]?.text).toBeUndefined();
    expect(messages[1]).toMatchObject({ isStart: true });
    expect(messages[1]?.startPayload).toBeUndefined();
    expect(messages[2]).toMatchObject({ isStart: true });
  });

  it('answers a button press at once and passes its payload on', async () => {
    const telegram = makeAdapter();
    await telegram.start(sink);
    fake.pushUpdate({
      callback_query: {
        id: 'cbq-1',
        from: { id: 4242, is_bot: false, first_name: 'Anna', language_code: 'en-GB' },
        message: { message_id: 7, chat: { id: 4242, type: 'private' } },
        chat_instance: 'x',
        data: 'hours',
      },
    });
    const [message] = await sink.waitForMessages(1);
    expect(message).toMatchObject({
      buttonPayload: 'hours',
      contactNativeId: '4242',
      profile: { locale: 'en-GB' },
    });
    const [answer] = await fake.waitForCalls('answerCallbackQuery');
    expect(answer?.body).toMatchObject({ callback_query_id: 'cbq-1' });
  });

  it('acknowledges updates it does not handle without recording them', async () => {
    const telegram = makeAdapter();
    await telegram.start(sink);
    const edited = fake.pushUpdate({ edited_message: textUpdate('geändert').message });
    const group = fake.pushUpdate({
      message: { ...textUpdate('hallo gruppe').message, chat: { id: -100, type: 'group' } },
    });
    const service = fake.pushUpdate({
      message: { message_id: 3, chat: { id: 4242, type: 'private' }, new_chat_title: 'x' },
    });
    const real = fake.pushUpdate(textUpdate('echt'));
    await sink.waitForMessages(1);
    expect(sink.messages.map((m) => m.text)).toEqual(['echt']);
    expect(sink.attempts).toBe(1);
    await fake.waitForCalls('getUpdates', fake.callsOf('getUpdates').length + 1);
    expect(fake.confirmedOffset).toBe(real.update_id + 1);
    expect([edited, group, service].every((u) => u.update_id < real.update_id)).toBe(true);
  });
});

describe('Telegram adapter: webhook mode', () => {
  async function startWebhook() {
    const telegram = makeAdapter({ TELEGRAM_WEBHOOK_SECRET: SECRET });
    await telegram.start(sink);
    server = await serveRoutes(telegram.routes);
    return telegram;
  }
  const post = (body: string, headers: Record<string, string> = {}) =>
    fetch(`${server!.url}/webhooks/telegram`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });

  it('sets the webhook with the public URL and the secret at start', async () => {
    const telegram = await startWebhook();
    expect(telegram.mode).toBe('webhook');
    expect(fake.webhook).toEqual({ url: 'https://bot.example.com/webhooks/telegram', secret_token: SECRET });
    expect(telegram.health().state).toBe('ready');
    expect(fake.callsOf('getUpdates')).toHaveLength(0);
  });

  it('accepts an update carrying the secret and answers 200 after recording it', async () => {
    await startWebhook();
    const response = await post(JSON.stringify({ update_id: 9001, ...textUpdate('Hallo') }), {
      'x-telegram-bot-api-secret-token': SECRET,
    });
    expect(response.status).toBe(200);
    expect(sink.messages).toHaveLength(1);
    expect(sink.messages[0]).toMatchObject({ nativeId: '9001', text: 'Hallo' });
  });

  it('refuses a missing or wrong secret with 401 and records nothing', async () => {
    await startWebhook();
    const body = JSON.stringify({ update_id: 9002, ...textUpdate('Hallo') });
    expect((await post(body)).status).toBe(401);
    expect((await post(body, { 'x-telegram-bot-api-secret-token': `${SECRET}x` })).status).toBe(401);
    expect((await post(body, { 'x-telegram-bot-api-secret-token': 'short' })).status).toBe(401);
    expect(sink.attempts).toBe(0);
  });

  it('answers 400 to malformed JSON and to JSON that is not an update', async () => {
    await startWebhook();
    const headers = { 'x-telegram-bot-api-secret-token': SECRET };
    expect((await post('{"update_id": 1, ', headers)).status).toBe(400);
    expect((await post(JSON.stringify({ hello: 'world' }), headers)).status).toBe(400);
    expect((await post(JSON.stringify({ update_id: 'abc' }), headers)).status).toBe(400);
    expect(sink.attempts).toBe(0);
  });

  it('answers 500 when recording fails, so Telegram redelivers', async () => {
    await startWebhook();
    sink.failNext = 1;
    const headers = { 'x-telegram-bot-api-secret-token': SECRET };
    const body = JSON.stringify({ update_id: 9003, ...textUpdate('Hallo') });
    expect((await post(body, headers)).status).toBe(500);
    expect(sink.messages).toHaveLength(0);
    expect((await post(body, headers)).status).toBe(200);
    expect(sink.messages).toHaveLength(1);
  });

  it('records the same update delivered three times, partly in parallel, once', async () => {
    await startWebhook();
    const headers = { 'x-telegram-bot-api-secret-token': SECRET };
    const body = JSON.stringify({ update_id: 9004, ...textUpdate('doppelt') });
    const parallel = await Promise.all([post(body, headers), post(body, headers)]);
    const late = await post(body, headers);
    expect([...parallel, late].map((r) => r.status)).toEqual([200, 200, 200]);
    expect(sink.attempts).toBe(3);
    expect(sink.messages).toHaveLength(1);
  });

  it('acknowledges an edited message with 200 without recording it', async () => {
    await startWebhook();
    const response = await post(
      JSON.stringify({ update_id: 9005, edited_message: textUpdate('x').message }),
      {
        'x-telegram-bot-api-secret-token': SECRET,
      },
    );
    expect(response.status).toBe(200);
    expect(sink.attempts).toBe(0);
  });
});

describe('Telegram adapter: sending', () => {
  it('maps 429 to rate-limited with retry_after in milliseconds', async () => {
    const telegram = makeAdapter();
    fake.failNext('sendMessage', 1, tooManyRequests(7));
    const error = await telegram.send(target(), { text: 'Hallo' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SendError);
    expect(error).toMatchObject({ kind: 'rate-limited', retryAfterMs: 7000 });
  });

  it('maps a blocked bot (403) and an unknown chat (400) to permanent failures', async () => {
    const telegram = makeAdapter();
    fake.failNext('sendMessage', 1, BLOCKED_BY_USER);
    fake.failNext('sendMessage', 1, CHAT_NOT_FOUND);
    await expect(telegram.send(target(), { text: 'a' })).rejects.toMatchObject({ kind: 'permanent' });
    await expect(telegram.send(target(), { text: 'b' })).rejects.toMatchObject({ kind: 'permanent' });
  });

  it('maps a server error and an unreachable API to transient failures', async () => {
    const telegram = makeAdapter();
    fake.failNext('sendMessage', 1, { status: 502, description: 'Bad Gateway' });
    await expect(telegram.send(target(), { text: 'a' })).rejects.toMatchObject({ kind: 'transient' });
    await fake.close();
    await expect(telegram.send(target(), { text: 'b' })).rejects.toMatchObject({ kind: 'transient' });
    fake = await FakeTelegramBotApi.start();
  });

  it('splits a long text into several messages, keyboard on the last', async () => {
    const telegram = makeAdapter();
    const sentence = 'Unsere Bohnen werden jeden Dienstag frisch in Kleinchargen geröstet. ';
    const text = sentence.repeat(150).trim();
    await telegram.send(target(), { text, buttons: [{ label: 'Mehr', payload: 'more' }] });
    const calls = fake.callsOf('sendMessage');
    expect(calls.length).toBe(Math.ceil(text.length / 4096));
    for (const call of calls) expect(String(call.body.text).length).toBeLessThanOrEqual(4096);
    expect(calls.map((c) => c.body.text).join(' ')).toBe(text);
    expect(calls.at(-1)?.body.reply_markup).toBeDefined();
    expect(calls[0]?.body.reply_markup).toBeUndefined();
  });

  it('sends media with a caption and a link as a URL button', async () => {
    const telegram = makeAdapter();
    await telegram.send(target(), {
      text: 'Unser neuer Espresso',
      media: { kind: 'image', ref: 'https://cdn.example.com/espresso.jpg' },
      link: { url: 'https://shop.example.com/espresso', label: 'Jetzt bestellen' },
    });
    const [photo] = fake.callsOf('sendPhoto');
    expect(photo?.body).toMatchObject({
      photo: 'https://cdn.example.com/espresso.jpg',
      caption: 'Unser neuer Espresso',
      reply_markup: {
        inline_keyboard: [[{ text: 'Jetzt bestellen', url: 'https://shop.example.com/espresso' }]],
      },
    });
    expect(fake.callsOf('sendMessage')).toHaveLength(0);
    await telegram.send(target(), { media: { kind: 'file', ref: 'FILE_ID', caption: 'Preisliste' } });
    expect(fake.callsOf('sendDocument')[0]?.body).toMatchObject({
      document: 'FILE_ID',
      caption: 'Preisliste',
    });
  });

  it('refuses a button payload over 64 bytes instead of cutting it', async () => {
    const telegram = makeAdapter();
    await expect(
      telegram.send(target(), { text: 'x', buttons: [{ label: 'Zu lang', payload: 'ä'.repeat(33) }] }),
    ).rejects.toMatchObject({ kind: 'permanent' });
    expect(fake.callsOf('sendMessage')).toHaveLength(0);
  });

  it('shows typing and builds deep links with the bot username from getMe', async () => {
    const telegram = makeAdapter();
    await telegram.start(sink);
    await telegram.sendTyping?.(target());
    expect(fake.callsOf('sendChatAction')[0]?.body).toMatchObject({ chat_id: 4242, action: 'typing' });
    expect(telegram.deepLink?.('ref_abc-1')).toBe('https://t.me/bohnenglueck_bot?start=ref_abc-1');
    expect(() => telegram.deepLink?.('nicht erlaubt!')).toThrow(/1-64 characters/);
  });

  it('uses TELEGRAM_BOT_USERNAME without calling getMe', async () => {
    const telegram = makeAdapter({ TELEGRAM_BOT_USERNAME: '@roesterei_bot' });
    await telegram.start(sink);
    expect(fake.callsOf('getMe')).toHaveLength(0);
    expect(telegram.deepLink?.('x')).toBe('https://t.me/roesterei_bot?start=x');
  });
});
