/**
 * Fault injection: the PostgreSQL server goes away under traffic and comes back. A real `plausch serve` runs on
 * a throwaway PostgreSQL of this test (initdb + pg_ctl in a temp dir, never a shared server) while Telegram
 * and WhatsApp Cloud webhooks arrive and are redelivered until acknowledged, as the platforms do. The database
 * is stopped (fast shutdown: connections cut) and started again. Meanwhile webhooks answer 5xx (retryable:
 * nothing acknowledged that was not recorded), /readyz is unready, /healthz still answers (no stall), and the
 * process neither exits nor needs a restart. Afterwards every event is processed and answered exactly once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/store/database.js';
import { FakeGraphApi } from '../fakes/graph-api.js';
import { FakeTelegramBotApi } from '../fakes/telegram-bot-api.js';
import { ThrowawayPostgres } from '../support/throwaway-postgres.js';
import { expectedReply, writeEchoFlows } from './echo-flows.js';
import { type ChatScript, sendScripts, telegramUpdate } from './redelivering-senders.js';
import { freePort, ServerProcess } from './server-process.js';

const TELEGRAM_SECRET = 'outage-secret';
const META_APP_SECRET = 'outage-app-secret';

const unavailable = ThrowawayPostgres.unavailableReason();
if (unavailable) console.warn(`PostgreSQL outage test skipped: ${unavailable}`);

describe.skipIf(unavailable !== null)('PostgreSQL stopped and started under traffic', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('answers webhooks 5xx and /readyz 503 during the outage, recovers by itself, loses and repeats nothing', async () => {
    const postgres = await ThrowawayPostgres.create();
    cleanups.push(() => postgres.dispose());
    const telegram = await FakeTelegramBotApi.start();
    const graph = await FakeGraphApi.start();
    cleanups.push(
      () => telegram.close(),
      () => graph.close(),
    );
    const work = mkdtempSync(join(tmpdir(), 'plausch-outage-'));
    const flowsDir = writeEchoFlows();
    cleanups.push(() => rmSync(work, { recursive: true, force: true }));
    cleanups.push(() => rmSync(flowsDir, { recursive: true, force: true }));

    const port = await freePort();
    const server = new ServerProcess(
      port,
      {
        DATABASE_URL: postgres.url,
        NODE_ENV: 'test',
        PORT: String(port),
        HOST: '127.0.0.1',
        PUBLIC_URL: `http://127.0.0.1:${port}`,
        LOG_LEVEL: 'warn',
        FLOWS_DIR: flowsDir,
        INSTANCE_ID: 'outage',
        WEBCHAT_ENABLED: 'false',
        TELEGRAM_BOT_TOKEN: telegram.token,
        TELEGRAM_API_ROOT: telegram.apiRoot,
        TELEGRAM_BOT_USERNAME: 'bohnenglueck_bot',
        TELEGRAM_WEBHOOK_SECRET: TELEGRAM_SECRET,
        WHATSAPP_CLOUD_TOKEN: graph.options.whatsappToken,
        WHATSAPP_CLOUD_PHONE_NUMBER_ID: graph.options.phoneNumberId,
        META_APP_SECRET,
        META_VERIFY_TOKEN: 'outage-verify',
        META_GRAPH_API_ROOT: graph.root,
      },
      join(work, 'server.log'),
    );
    cleanups.push(() => server.stop());
    const fail = (message: string) =>
      new Error(
        `${message}\n--- server log (tail) ---\n${server.logTail()}\n--- postgres log ---\n${postgres.logTail()}`,
      );
    await server.start();
    const store: Store = openStore({ databaseUrl: postgres.url, sqlitePath: '' });
    cleanups.push(() => store.close());

    const scripts: ChatScript[] = [
      ...Array.from({ length: 3 }, (_, i) => ({
        channel: 'telegram' as const,
        chat: String(8_001 + i),
        messages: 12,
      })),
      ...Array.from({ length: 3 }, (_, i) => ({
        channel: 'whatsapp' as const,
        chat: `49176100000${10 + i}`,
        messages: 12,
      })),
    ];
    const total = scripts.reduce((sum, s) => sum + s.messages, 0);
    let acked = 0;
    let outageStarted: () => void = () => {};
    const outageBegins = new Promise<void>((resolve) => {
      outageStarted = resolve;
    });
    const senders = sendScripts(
      () => ({
        baseUrl: server.baseUrl,
        telegramSecret: TELEGRAM_SECRET,
        metaAppSecret: META_APP_SECRET,
        phoneNumberId: graph.options.phoneNumberId,
      }),
      scripts,
      {
        firstUpdateId: 700_000,
        onAck: () => {
          acked += 1;
          if (acked === 15) outageStarted();
        },
      },
    );

    await outageBegins;
    const ackedBeforeOutage = acked;
    await postgres.stop();
    const outageAt = Date.now();

    // During the outage: unready, webhooks refused with a retryable status, /healthz answers at once.
    await poll(async () => (await status(`${server.baseUrl}/readyz`)) === 503, '/readyz 503', 30_000, fail);
    // Counted from here: a request that committed just before the stop may still be answered after it.
    const ackedWhenUnready = acked;
    const probeBody = telegramUpdate(799_999, 8_999, 'during the outage');
    const probeHeaders = {
      'content-type': 'application/json',
      'x-telegram-bot-api-secret-token': TELEGRAM_SECRET,
    };
    const during = await fetch(`${server.baseUrl}/webhooks/telegram`, {
      method: 'POST',
      headers: probeHeaders,
      body: probeBody,
      signal: AbortSignal.timeout(15_000),
    });
    expect(during.status).toBeGreaterThanOrEqual(500);
    const healthStarted = Date.now();
    expect(await status(`${server.baseUrl}/healthz`)).toBe(200);
    const healthMs = Date.now() - healthStarted;
    // The senders keep redelivering; the outage lasts 10 s (the scenario), as a failover might.
    await poll(() => Date.now() - outageAt >= 10_000, 'ten seconds of outage', 30_000, fail);
    expect(server.running).toBe(true);
    const ackedDuringOutage = acked - ackedWhenUnready;

    await postgres.start();
    const recoveredAt = Date.now();
    await poll(
      async () => (await status(`${server.baseUrl}/readyz`)) === 200,
      '/readyz 200 after PostgreSQL is back',
      60_000,
      fail,
    );
    const readyAfterMs = Date.now() - recoveredAt;
    // The refused probe is delivered again, as Telegram would, and now recorded.
    await poll(
      async () => {
        const response = await fetch(`${server.baseUrl}/webhooks/telegram`, {
          method: 'POST',
          headers: probeHeaders,
          body: probeBody,
          signal: AbortSignal.timeout(15_000),
        });
        return response.status === 200;
      },
      'the refused probe accepted',
      60_000,
      fail,
    );

    const sent = await senders;
    await poll(
      async () => {
        const events = await store.db.selectFrom('inbound_events').select(['status']).execute();
        const open = await store.db
          .selectFrom('outbox')
          .select('id')
          .where('status', 'in', ['queued', 'sending'])
          .execute();
        return events.length >= total + 1 && events.every((e) => e.status !== 'pending') && open.length === 0;
      },
      'every event processed and the outbox empty',
      180_000,
      fail,
    );
    const quietAfterRestartMs = Date.now() - recoveredAt;
    expect(server.running).toBe(true);

    const rows = await store.db.selectFrom('inbound_events').select(['native_id', 'status']).execute();
    const processed = new Set(rows.filter((r) => r.status === 'processed').map((r) => r.native_id));
    const lost = sent.filter((e) => !processed.has(e.nativeId)).length + (processed.has('799999') ? 0 : 1);
    const replies = [
      ...telegram.callsOf('sendMessage').map((c) => `${c.body.chat_id}\u0000${c.body.text}`),
      ...graph.calls
        .filter((c) => c.api === 'whatsapp')
        .map((c) => `${c.body.to}\u0000${(c.body.text as { body?: string } | undefined)?.body ?? ''}`),
    ];
    let missing = 0;
    let duplicates = 0;
    for (const event of sent) {
      const copies = replies.filter(
        (r) => r === `${event.chat}\u0000${expectedReply(event.text, event.seq)}`,
      );
      if (copies.length === 0) missing += 1;
      duplicates += Math.max(0, copies.length - 1);
    }
    const refusals = sent.reduce((sum, e) => sum + e.refusals, 0);
    const figures = {
      eventsSent: sent.length + 1,
      ackedBeforeOutage,
      ackedDuringOutage,
      refusedDuringOutage: refusals,
      outageMs: recoveredAt - outageAt,
      readyAgainMsAfterRestart: readyAfterMs,
      healthzMsDuringOutage: healthMs,
      quietMsAfterRestart: quietAfterRestartMs,
      lost,
      missingReplies: missing,
      duplicateReplies: duplicates,
    };
    console.log(`PostgreSQL outage: ${JSON.stringify(figures)}`);

    expect(sent).toHaveLength(total);
    // Nothing could be recorded without the database, so nothing may have been acknowledged meanwhile.
    expect(ackedDuringOutage).toBe(0);
    expect(refusals).toBeGreaterThan(0);
    expect(healthMs).toBeLessThan(5_000);
    expect(lost).toBe(0);
    expect(missing).toBe(0);
    expect(duplicates).toBe(0);
    // An outbox row claimed just before the outage and left leased would wait out its 60 s lease.
    expect(quietAfterRestartMs).toBeLessThan(50_000);
  }, 600_000);
});

async function status(url: string): Promise<number> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
    await response.arrayBuffer();
    return response.status;
  } catch {
    return 0;
  }
}

async function poll(
  condition: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs: number,
  fail: (m: string) => Error,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
