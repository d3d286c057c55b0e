/**
 * Inputs that can never succeed must not stall a channel or be redelivered forever: each is answered as its
 * platform needs (polling moves on, webhooks 2xx/4xx), written to the dead-letter table, and the next
 * customer's message is still processed. Runs on SQLite and (with TEST_DATABASE_URL) PostgreSQL.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { listDeadLetters } from '../../src/store/repositories/dead-letters.js';
import { FakeTelegramBotApi } from '../fakes/telegram-bot-api.js';
import { type RunningPlausch, startPlausch, TEST_API_TOKEN } from '../support/plausch-instance.js';
import {
  createTestDatabase,
  dialectsUnderTest,
  notePostgresSkipped,
  type TestStoreHandle,
} from '../support/stores.js';
import { TelegramCustomer } from '../support/telegram-customer.js';

notePostgresSkipped();

const TELEGRAM_SECRET = 'poison-test-secret';

/** JSON text nested `depth` objects deep (built as text: JSON.stringify itself overflows at ~5,000). */
const deeplyNested = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

async function until<T>(read: () => Promise<T>, ok: (value: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value).slice(0, 300)}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe.each(dialectsUnderTest)('poison inputs on %s', (dialect) => {
  let fake: FakeTelegramBotApi | undefined;
  let database: TestStoreHandle | undefined;
  let running: RunningPlausch | undefined;

  afterEach(async () => {
    await running?.stop();
    running = undefined;
    await fake?.close();
    await database?.dispose();
  });

  async function start(env: Record<string, string> = {}) {
    fake = await FakeTelegramBotApi.start();
    database = await createTestDatabase(dialect);
    running = await startPlausch({ store: await database.open(), telegramApiRoot: fake.apiRoot, env });
    return running;
  }

  const transcriptTexts = async () =>
    (
      await running!.plausch.store.db
        .selectFrom('messages')
        .select('text')
        .where('direction', '=', 'in')
        .execute()
    ).map((row) => row.text);

  it('long polling skips updates it cannot record and keeps serving the next customer', async () => {
    await start();
    const base = {
      message_id: 1,
      date: 1,
      chat: { id: 4242, type: 'private' },
      from: { id: 4242, is_bot: false },
    };
    // A button press under an inline-mode message: no `message` at all; and one whose message lacks its id.
    fake!.pushUpdate({
      callback_query: { id: 'cb1', from: { id: 4242, is_bot: false }, chat_instance: 'x', data: 'noop' },
    });
    fake!.pushUpdate({
      callback_query: {
        id: 'cb2',
        from: { id: 4242, is_bot: false },
        message: { chat: { id: 4242, type: 'private' } },
        data: 'noop',
      },
    });
    fake!.pushUpdate({ message: { ...base, text: 'x'.repeat(100_001) } });
    fake!.pushUpdate({
      message: { ...base, chat: { id: 4242, type: 'private', x: deeplyNested(5000) }, text: 'tief' },
    });
    fake!.pushUpdate({ message: { ...base, text: 'a\u0000b' } });
    fake!.pushUpdate({ message: { ...base, chat: 'nowhere' } });
    const anna = new TelegramCustomer(fake!, 5001);
    anna.say('/start');
    expect(await anna.replyText()).toContain('Anna');
    // Both button presses without a usable message were understood: from.id is the private chat.
    const presses = await running!.plausch.store.db
      .selectFrom('inbound_events')
      .select('native_id')
      .where('message', 'like', '%noop%')
      .execute();
    expect(presses).toHaveLength(2);
    const texts = await until(transcriptTexts, (t) => t.includes('ab'), 'the NUL text without its NUL');
    expect(texts).toContain('ab');
    const letters = await until(
      () => listDeadLetters(running!.plausch.store.db),
      (l) => l.length >= 2,
      'two dead letters',
    );
    expect(letters).toHaveLength(2);
    const reasons = letters.map((l) => l.reason).join('\n');
    expect(reasons).toMatch(/text/);
    expect(reasons).toMatch(/not a Telegram update/);
    expect(letters.every((l) => l.channel === 'telegram')).toBe(true);
    // The over-long text is kept only in part.
    expect(letters.every((l) => l.payload.length <= 16 * 1024)).toBe(true);
  });

  it('webhook mode answers 200 to what it can never record, and the dead letter is kept', async () => {
    const plausch = await start({ TELEGRAM_WEBHOOK_SECRET: TELEGRAM_SECRET });
    const post = (body: string) =>
      fetch(`${plausch.baseUrl}/webhooks/telegram`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': TELEGRAM_SECRET },
        body,
      });
    const base = {
      message_id: 1,
      date: 1,
      chat: { id: 77, type: 'private' },
      from: { id: 77, is_bot: false },
    };
    const answers = await Promise.all([
      post(
        JSON.stringify({
          update_id: 1,
          callback_query: {
            id: 'c',
            from: { id: 77 },
            message: { chat: { id: 77, type: 'private' } },
            data: 'x',
          },
        }),
      ),
      post(JSON.stringify({ update_id: 2, message: { ...base, text: 'y'.repeat(100_001) } })),
      post(`{"update_id": 3, "message": ${JSON.stringify(base).slice(0, -1)}, "x": ${deeplyNested(5000)}}}`),
      post(JSON.stringify({ update_id: 'x'.repeat(600), message: base })),
      post(
        JSON.stringify({
          update_id: 5,
          message: { ...base, chat: { id: 77, type: 'private' }, text: 'a\u0000b' },
        }),
      ),
      post('{"update_id": 6, "message": '),
    ]);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 200]);
    const letters = await listDeadLetters(plausch.plausch.store.db);
    expect(letters.length).toBe(4);
    expect(await transcriptTexts()).toContain('ab');
    // Unauthenticated calls write nothing, not even a dead letter.
    const forged = await fetch(`${plausch.baseUrl}/webhooks/telegram`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"update_id": 9',
    });
    expect(forged.status).toBe(401);
    expect((await listDeadLetters(plausch.plausch.store.db)).length).toBe(4);
    // Operators see them through the API (admin token only).
    const api = await fetch(`${plausch.baseUrl}/api/v1/dead-letters?limit=10`, {
      headers: { authorization: `Bearer ${TEST_API_TOKEN}` },
    });
    expect(api.status).toBe(200);
    const listed = (await api.json()) as { total: number; items: Array<{ channel: string; reason: string }> };
    expect(listed.total).toBe(4);
    expect(listed.items.every((item) => item.channel === 'telegram')).toBe(true);
    expect((await fetch(`${plausch.baseUrl}/api/v1/dead-letters`)).status).toBe(401);
  });

  it('web chat: a NUL byte is removed from the text, over-long and malformed posts get 4xx, never 500', async () => {
    const plausch = await start({ WEBCHAT_ENABLED: 'true' });
    const post = (body: unknown) =>
      fetch(`${plausch.baseUrl}/webchat/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
    const sessionId = 'poison-session-0123456789';
    const nul = await post({ sessionId, messageId: 'msg-00000001', text: 'a\u0000b' });
    expect(nul.status).toBe(202);
    expect(await transcriptTexts()).toContain('ab');
    const long = await post({ sessionId, messageId: 'msg-00000002', text: 'z'.repeat(5000) });
    expect(long.status).toBe(400);
    const deep = await post(
      JSON.stringify({ sessionId, messageId: 'msg-00000003', text: 'hi', x: deeplyNested(5000) }),
    );
    expect(deep.status).toBe(400);
    const longId = await post({ sessionId: 's'.repeat(600), messageId: 'msg-00000004', text: 'hi' });
    expect(longId.status).toBe(400);
  });
});
