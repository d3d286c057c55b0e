/** /metrics is Prometheus text behind METRICS_TOKEN, with HTTP, webhook, outbox and queue figures. */
import { afterEach, describe, expect, it } from 'vitest';
import { enqueueOutbound } from '../../src/outbox/enqueue.js';
import { FakeTelegramBotApi } from '../fakes/telegram-bot-api.js';
import { createContact } from '../outbox/helpers.js';
import { type RunningPlausch, startPlausch } from '../support/plausch-instance.js';
import { createTestDatabase, type TestStoreHandle } from '../support/stores.js';
import { TelegramCustomer } from '../support/telegram-customer.js';

const TOKEN = 'metrics-token-0123456789';

describe('/metrics', () => {
  let handle: TestStoreHandle | undefined;
  let running: RunningPlausch | undefined;
  afterEach(async () => {
    await running?.stop();
    await handle?.dispose();
  });

  it('needs the token and reports requests, webhooks, outbox depth and age, queue and event-loop lag', async () => {
    handle = await createTestDatabase('sqlite');
    const store = await handle.open();
    running = await startPlausch({
      store,
      env: {
        METRICS_TOKEN: TOKEN,
        TELEGRAM_BOT_TOKEN: '1:x',
        TELEGRAM_WEBHOOK_SECRET: 'hook-secret',
        TELEGRAM_API_ROOT: 'http://127.0.0.1:9',
      },
    });
    const { baseUrl } = running;
    expect((await fetch(`${baseUrl}/metrics`)).status).toBe(401);
    expect((await fetch(`${baseUrl}/metrics`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(
      401,
    );

    await fetch(`${baseUrl}/healthz`);
    await fetch(`${baseUrl}/no/such/page`);
    // A forged webhook: refused and counted as such.
    await fetch(`${baseUrl}/webhooks/telegram`, {
      method: 'POST',
      body: '{}',
      headers: { 'content-type': 'application/json' },
    });
    // A row waiting in the outbox for a channel nobody sends on here (webchat is off in tests).
    await running.plausch.outbox.stop();
    const contact = await createContact(store, 'metrics-1', { channel: 'whatsapp-cloud' });
    await enqueueOutbound(
      store.db,
      [
        {
          contactId: contact.id,
          conversationId: null,
          channel: 'whatsapp-cloud',
          message: { text: 'hallo' },
          purpose: 'reply',
        },
      ],
      new Date(Date.now() - 90_000),
    );

    const response = await fetch(`${baseUrl}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = await response.text();
    expect(text).toMatch(/plausch_http_requests_total\{route="\/healthz",method="GET",status="200"\} 1/);
    expect(text).toMatch(/plausch_http_requests_total\{route="unmatched",method="GET",status="404"\} 1/);
    expect(text).toMatch(/plausch_webhooks_total\{channel="telegram",result="refused"\} 1/);
    expect(text).toMatch(/plausch_outbox_depth\{channel="whatsapp-cloud"\} 1/);
    const age = Number(
      /plausch_outbox_oldest_age_seconds\{channel="whatsapp-cloud"\} ([\d.]+)/.exec(text)?.[1],
    );
    expect(age).toBeGreaterThanOrEqual(89);
    expect(text).toContain('plausch_handoff_queue_length 0');
    expect(text).toContain('plausch_nodejs_eventloop_lag_seconds');
    expect(text).toContain('plausch_outbox_sends_total');
  });

  it('counts FAQ questions answered, asked back and declined, by channel', async () => {
    handle = await createTestDatabase('sqlite');
    const fake = await FakeTelegramBotApi.start();
    try {
      running = await startPlausch({
        store: await handle.open(),
        telegramApiRoot: fake.apiRoot,
        env: { METRICS_TOKEN: TOKEN },
      });
      const scrape = async () => {
        const response = await fetch(`${running!.baseUrl}/metrics`, {
          headers: { authorization: `Bearer ${TOKEN}` },
        });
        return response.text();
      };
      const count = (text: string, outcome: string) =>
        Number(
          new RegExp(
            `plausch_faq_outcomes_total\\{action="faq.answer",outcome="${outcome}",channel="telegram"\\} (\\d+)`,
          ).exec(text)?.[1] ?? 0,
        );
      expect(await scrape()).toContain('# TYPE plausch_faq_outcomes_total counter');

      const anna = new TelegramCustomer(fake, 5101);
      anna.say('/start');
      await anna.replies();
      anna.say('Wie lange dauert der Versand nach Hamburg?');
      expect(await anna.replyText()).toMatch(/Werktag/);
      anna.say('Quantenschaum im Raumschiffhangar?');
      await anna.replies();
      // Asked as a question (menu → "Frage stellen"), a vague word makes the bot ask back.
      anna.press('Frage stellen');
      await anna.replies();
      anna.say('Kaffee?');
      await anna.replies();

      const text = await scrape();
      expect(count(text, 'answered')).toBe(1);
      expect(count(text, 'declined')).toBe(1);
      expect(count(text, 'clarified')).toBe(1);
    } finally {
      await running?.stop();
      running = undefined;
      await fake.close();
    }
  });
});
