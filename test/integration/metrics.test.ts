/** /metrics is Prometheus text behind METRICS_TOKEN, with HTTP, webhook, outbox and queue figures. */
import { afterEach, describe, expect, it } from 'vitest';
import { enqueueOutbound } from '../../src/outbox/enqueue.js';
import { createContact } from '../outbox/helpers.js';
import { type RunningPlausch, startPlausch } from '../support/plausch-instance.js';
import { createTestDatabase, type TestStoreHandle } from '../support/stores.js';

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
});
