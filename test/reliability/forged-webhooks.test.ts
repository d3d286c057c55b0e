/**
 * 10,000 forged webhooks across the channels: no secret / wrong secret (Telegram), unsigned, wrongly signed
 * and replayed-with-altered-body (WhatsApp Cloud, Messenger), no token (Bot Framework) and oversized bodies.
 * Afterwards: zero rows written (not even dead letters: only authenticated input may write those), zero
 * replies, and memory bounded. Figures are printed.
 */
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeTelegramBotApi } from '../fakes/telegram-bot-api.js';
import { type RunningPlausch, startPlausch } from '../support/plausch-instance.js';
import { createTestDatabase, type TestStoreHandle } from '../support/stores.js';

const TOTAL = 10_000;
const PARALLEL = 16;
const APP_SECRET = 'meta-app-secret-for-forgery-test';

describe('forged webhooks', { timeout: 240_000 }, () => {
  let fake: FakeTelegramBotApi;
  let database: TestStoreHandle;
  let running: RunningPlausch;

  beforeAll(async () => {
    fake = await FakeTelegramBotApi.start();
    database = await createTestDatabase('sqlite');
    running = await startPlausch({
      store: await database.open(),
      telegramApiRoot: fake.apiRoot,
      env: {
        TELEGRAM_WEBHOOK_SECRET: 'the-real-secret',
        META_APP_SECRET: APP_SECRET,
        META_VERIFY_TOKEN: 'verify',
        META_GRAPH_API_ROOT: 'http://127.0.0.1:9',
        WHATSAPP_CLOUD_TOKEN: 'wa-token',
        WHATSAPP_CLOUD_PHONE_NUMBER_ID: '1000',
        MESSENGER_PAGE_TOKEN: 'page-token',
        BOTFRAMEWORK_ENABLED: 'true',
        MICROSOFT_APP_ID: '00000000-0000-0000-0000-000000000001',
        MICROSOFT_APP_PASSWORD: 'secret',
      },
    });
  });

  afterAll(async () => {
    await running?.stop();
    await fake?.close();
    await database?.dispose();
  });

  const update = (i: number) =>
    JSON.stringify({
      update_id: i,
      message: { message_id: i, date: 1, chat: { id: i, type: 'private' }, from: { id: i }, text: 'hallo' },
    });
  const whatsapp = (i: number) =>
    JSON.stringify({
      object: 'whatsapp_business_account',
      entry: [
        {
          id: '1',
          changes: [
            {
              field: 'messages',
              value: {
                messaging_product: 'whatsapp',
                metadata: { phone_number_id: '1000', display_phone_number: '1' },
                contacts: [{ wa_id: `49${i}`, profile: { name: 'X' } }],
                messages: [
                  { from: `49${i}`, id: `wamid.${i}`, timestamp: '1', type: 'text', text: { body: 'hi' } },
                ],
              },
            },
          ],
        },
      ],
    });
  const messenger = (i: number) =>
    JSON.stringify({
      object: 'page',
      entry: [
        {
          id: '1',
          time: 1,
          messaging: [
            {
              sender: { id: `p${i}` },
              recipient: { id: '1' },
              timestamp: 1,
              message: { mid: `m${i}`, text: 'hi' },
            },
          ],
        },
      ],
    });
  const sign = (body: string) => `sha256=${createHmac('sha256', APP_SECRET).update(body).digest('hex')}`;
  const oversized = 'x'.repeat(1024 * 1024 + 10);

  /** The i-th forgery: [path, headers, body]. */
  function forgery(i: number): [string, Record<string, string>, string] {
    const json = { 'content-type': 'application/json' };
    switch (i % 9) {
      case 0:
        return ['/webhooks/telegram', json, update(i)];
      case 1:
        return [
          '/webhooks/telegram',
          { ...json, 'x-telegram-bot-api-secret-token': `guess-${i}` },
          update(i),
        ];
      case 2:
        return ['/webhooks/whatsapp', json, whatsapp(i)];
      case 3:
        return [
          '/webhooks/whatsapp',
          { ...json, 'x-hub-signature-256': `sha256=${'0'.repeat(64)}` },
          whatsapp(i),
        ];
      case 4: {
        // A signature captured from a real delivery, replayed with the body altered.
        const original = whatsapp(i);
        return [
          '/webhooks/whatsapp',
          { ...json, 'x-hub-signature-256': sign(original) },
          original.replace('"hi"', '"ha"'),
        ];
      }
      case 5:
        return ['/webhooks/messenger', json, messenger(i)];
      case 6: {
        const original = messenger(i);
        return [
          '/webhooks/messenger',
          { ...json, 'x-hub-signature-256': sign(original) },
          original.replace('"hi"', '"hu"'),
        ];
      }
      case 7:
        return [
          '/api/messages',
          json,
          JSON.stringify({
            type: 'message',
            id: `a${i}`,
            channelId: 'facebook',
            serviceUrl: 'http://127.0.0.1:9/',
            from: { id: 'u' },
            conversation: { id: 'c' },
            recipient: { id: 'b' },
            text: 'hi',
          }),
        ];
      default:
        // Oversized bodies are costly to send; one in 100 forgeries is one.
        return i % 100 === 8
          ? [
              '/webhooks/telegram',
              { ...json, 'x-telegram-bot-api-secret-token': 'the-real-secret' },
              oversized,
            ]
          : ['/webhooks/messenger', { ...json, 'x-hub-signature-256': 'sha1=abc' }, messenger(i)];
    }
  }

  it('writes nothing, replies nothing and keeps memory bounded', async () => {
    const countRows = async () => {
      const db = running.plausch.store.db;
      const count = async (table: 'inbound_events' | 'contacts' | 'outbox' | 'messages') =>
        Number(
          (
            await db
              .selectFrom(table)
              .select((eb) => eb.fn.countAll<number>().as('n'))
              .executeTakeFirstOrThrow()
          ).n,
        );
      const dead = await db
        .withTables<{ inbound_dead_letters: { id: string } }>()
        .selectFrom('inbound_dead_letters')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      return (
        (await count('inbound_events')) +
        (await count('contacts')) +
        (await count('outbox')) +
        (await count('messages')) +
        Number(dead.n)
      );
    };
    const rowsBefore = await countRows();
    global.gc?.();
    const heapBefore = process.memoryUsage().heapUsed;
    const statuses = new Map<number, number>();
    let next = 0;
    let peakHeap = heapBefore;
    const worker = async () => {
      while (next < TOTAL) {
        const i = next++;
        const [path, headers, body] = forgery(i);
        const res = await fetch(`${running.baseUrl}${path}`, { method: 'POST', headers, body });
        await res.arrayBuffer();
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        if (i % 500 === 0) peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
      }
    };
    const started = Date.now();
    await Promise.all(Array.from({ length: PARALLEL }, worker));
    await running.plausch.runtime.whenIdle();
    const rowsAfter = await countRows();
    const sends = fake.calls.filter((c) => c.method.startsWith('send')).length;
    const growthMb = (peakHeap - heapBefore) / 1024 / 1024;
    const figures = [...statuses.entries()].sort(([a], [b]) => a - b).map(([s, n]) => `${n} × ${s}`);
    console.log(
      `forged webhooks: ${TOTAL} sent in ${((Date.now() - started) / 1000).toFixed(1)} s (${figures.join(', ')}); ` +
        `rows written = ${rowsAfter - rowsBefore}, replies = ${sends}, heap growth = ${growthMb.toFixed(1)} MB`,
    );
    expect([...statuses.keys()].every((s) => s >= 400)).toBe(true);
    expect(rowsAfter - rowsBefore).toBe(0);
    expect(sends).toBe(0);
    // The test process also holds the server; 10,000 requests must not leave more than this behind.
    expect(growthMb).toBeLessThan(400);
  });
});
