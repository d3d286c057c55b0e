/**
 * Request ids: every request gets one (a sane incoming X-Request-Id is kept, anything else replaced), an access
 * log line names it with method, route, status and duration, error bodies carry it, and the turn a webhook
 * causes and the sends of that turn log under the same id.
 */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { loggerOptions } from '../../src/logger.js';
import { FakeTelegramBotApi } from '../fakes/telegram-bot-api.js';
import type { RunningPlausch } from '../support/plausch-instance.js';
import { startPlausch, TEST_API_TOKEN } from '../support/plausch-instance.js';
import { createTestDatabase, type TestStoreHandle } from '../support/stores.js';

const SECRET = 'request-id-secret';

interface LogLine {
  level: number;
  msg: string;
  requestId?: string;
  method?: string;
  route?: string;
  status?: number;
  ms?: number;
  [key: string]: unknown;
}

function capturingLogger() {
  const lines: LogLine[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const text of chunk.toString('utf8').split('\n')) {
        if (text.trim()) lines.push(JSON.parse(text) as LogLine);
      }
      done();
    },
  });
  return { logger: pino(loggerOptions('debug'), stream), lines };
}

async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('request ids', () => {
  let running: RunningPlausch | undefined;
  let handle: TestStoreHandle | undefined;
  let telegram: FakeTelegramBotApi | undefined;
  afterEach(async () => {
    await running?.stop();
    await telegram?.close();
    await handle?.dispose();
    running = undefined;
    telegram = undefined;
    handle = undefined;
  });

  async function start() {
    handle = await createTestDatabase('sqlite');
    const store = await handle.open();
    telegram = await FakeTelegramBotApi.start();
    const { logger, lines } = capturingLogger();
    running = await startPlausch({
      store,
      telegramApiRoot: telegram.apiRoot,
      env: { TELEGRAM_WEBHOOK_SECRET: SECRET, LOG_LEVEL: 'debug' },
      logger,
    });
    return { store, lines, baseUrl: running.baseUrl, telegram };
  }

  it('keeps a sane X-Request-Id, replaces others, and logs one access line per request', async () => {
    const { lines, baseUrl } = await start();
    const kept = await fetch(`${baseUrl}/healthz`, { headers: { 'x-request-id': 'lb-0123456789abcdef' } });
    expect(kept.headers.get('x-request-id')).toBe('lb-0123456789abcdef');

    for (const bad of ['short', 'has spaces in it', 'x'.repeat(200), 'inject\u0000null', '{"json":1}']) {
      const response = await fetch(`${baseUrl}/healthz`, { headers: { 'x-request-id': encodeURI(bad) } });
      const id = response.headers.get('x-request-id') ?? '';
      expect(id).not.toBe(encodeURI(bad));
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
    }
    const fresh = await fetch(`${baseUrl}/api/v1/no-such-thing`, {
      headers: { authorization: `Bearer ${TEST_API_TOKEN}` },
    });
    const freshId = fresh.headers.get('x-request-id');
    expect(freshId).toMatch(/^[0-9a-f-]{36}$/);
    // The error body names the id, so a reported failure can be found in the log.
    expect(await fresh.json()).toEqual({ error: 'no such API route', requestId: freshId });

    const unauthorized = await fetch(`${baseUrl}/api/v1/broadcasts`, {
      headers: { 'x-request-id': 'client-side-trace-42' },
    });
    expect(unauthorized.status).toBe(401);
    expect(await unauthorized.json()).toMatchObject({ requestId: 'client-side-trace-42' });

    const access = await until('the access line of the 401', () =>
      lines.find((l) => l.msg === 'request' && l.requestId === 'client-side-trace-42'),
    );
    expect(access).toMatchObject({ method: 'GET', status: 401 });
    expect(access.route).toBe('other');
    expect(typeof access.ms).toBe('number');
    const probe = lines.find((l) => l.msg === 'request' && l.requestId === 'lb-0123456789abcdef');
    expect(probe).toMatchObject({ method: 'GET', route: '/healthz', status: 200 });
    // Probes are logged at debug; everything else at info or above.
    expect(probe?.level).toBe(20);
    expect(access.level).toBe(30);
  });

  it('follows a webhook through the inbox, the turn and the outbox', async () => {
    const { store, lines, baseUrl, telegram } = await start();
    // The first send fails, so the outbox logs a retry under the request's id.
    telegram.failNext('sendMessage', 1, { status: 500, description: 'Internal Server Error' });
    const requestId = 'tg-webhook-trace-0001';
    const response = await fetch(`${baseUrl}/webhooks/telegram`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-telegram-bot-api-secret-token': SECRET,
        'x-request-id': requestId,
      },
      body: JSON.stringify({
        update_id: 4242,
        message: {
          message_id: 1,
          from: { id: 5151, is_bot: false, first_name: 'Mia', language_code: 'de' },
          chat: { id: 5151, type: 'private', first_name: 'Mia' },
          date: Math.floor(Date.now() / 1000),
          text: 'Hallo',
        },
      }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-request-id')).toBe(requestId);

    await telegram.waitForCalls('sendMessage', 2, 30_000);
    const event = await store.db
      .selectFrom('inbound_events')
      .select(['request_id'])
      .where('native_id', '=', '4242')
      .executeTakeFirstOrThrow();
    expect(event.request_id).toBe(requestId);
    const outbox = await store.db.selectFrom('outbox').select(['request_id', 'status']).execute();
    expect(outbox.length).toBeGreaterThan(0);
    expect(outbox.every((row) => row.request_id === requestId)).toBe(true);

    const mine = (msg: string) => lines.find((l) => l.msg === msg && l.requestId === requestId);
    expect(mine('request')).toMatchObject({ method: 'POST', route: '/webhooks/telegram', status: 200 });
    expect(await until('the turn line', () => mine('turn done'))).toMatchObject({ channel: 'telegram' });
    expect(await until('the failed send', () => mine('send failed'))).toMatchObject({ channel: 'telegram' });
    expect(await until('the retried send', () => mine('sent'))).toBeDefined();
  });

  it('gives events that arrive without a request (polling) their own id for the turn and its sends', async () => {
    handle = await createTestDatabase('sqlite');
    const store = await handle.open();
    telegram = await FakeTelegramBotApi.start();
    const { logger, lines } = capturingLogger();
    running = await startPlausch({ store, telegramApiRoot: telegram.apiRoot, logger });
    telegram.pushUpdate({
      message: {
        message_id: 1,
        from: { id: 6161, is_bot: false, first_name: 'Ole', language_code: 'de' },
        chat: { id: 6161, type: 'private', first_name: 'Ole' },
        date: Math.floor(Date.now() / 1000),
        text: 'Hallo',
      },
    });
    await telegram.waitForCalls('sendMessage', 1, 30_000);
    const event = await store.db
      .selectFrom('inbound_events')
      .select(['request_id'])
      .executeTakeFirstOrThrow();
    expect(event.request_id).toMatch(/^[0-9a-f-]{36}$/);
    const turn = await until('the turn line', () => lines.find((l) => l.msg === 'turn done'));
    expect(turn.requestId).toBe(event.request_id);
  });
});
