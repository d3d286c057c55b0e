import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  broadcastStatistics,
  cancelBroadcast,
  createBroadcast,
  loadBroadcast,
  previewRecipients,
  scheduleBroadcast,
} from '../../../src/features/newsletter/broadcasts.js';
import { createNewsletterFeature, type NewsletterFeature } from '../../../src/features/newsletter/index.js';
import type { Store } from '../../../src/store/database.js';
import {
  createTestDatabase,
  dialectsUnderTest,
  notePostgresSkipped,
  type TestStoreHandle,
} from '../../support/stores.js';
import {
  actionContext,
  type ContactSeed,
  featureContext,
  insertContact,
  runAction,
  TestClock,
  turnInput,
} from './support.js';

notePostgresSkipped();

describe.each(dialectsUnderTest)('newsletter broadcasts on %s', (dialect) => {
  let handle: TestStoreHandle;
  let store: Store;
  let clock: TestClock;
  let feature: NewsletterFeature;

  beforeEach(async () => {
    handle = await createTestDatabase(dialect);
    store = await handle.open();
    clock = new TestClock(new Date('2026-12-01T08:00:00Z'));
    feature = createNewsletterFeature(featureContext(store, clock), {
      fanOutChunkSize: 2,
      fanOutMaxChunksPerTick: 100,
    });
  });
  afterEach(async () => handle.dispose());

  async function subscriber(seed: ContactSeed = {}, topic = 'roast-news') {
    const contact = await insertContact(store, seed);
    await runAction(feature.actions, 'newsletter.request', { topic }, actionContext(contact, clock.now()));
    await runAction(feature.actions, 'newsletter.confirm', { topic }, actionContext(contact, clock.now()));
    return contact;
  }

  const draft = (segment = {}) =>
    createBroadcast(
      feature.db,
      feature.topics(),
      {
        topic: 'roast-news',
        content: {
          text: { de: 'Neu: Weihnachtsröstung!', en: 'New: Christmas roast!' },
          buttons: [
            { label: { de: 'Mehr', en: 'More' }, payload: 'go:shop.christmas?sku=xmas' },
            { label: 'Shop', url: 'https://bohnenglueck.example/shop' },
          ],
        },
        segment,
      },
      clock.now(),
    );

  const outboxOf = (broadcastId: string) =>
    store.db
      .selectFrom('outbox')
      .selectAll()
      .where('source_id', '=', broadcastId)
      .orderBy('contact_id')
      .execute();

  it('previews recipients by segment without queueing anything', async () => {
    await subscriber({
      channel: 'telegram',
      locale: 'de',
      tags: ['vip', 'leipzig'],
      attributes: { city: 'Leipzig' },
    });
    await subscriber({ channel: 'telegram', locale: 'de', tags: ['vip'], attributes: { city: 'Halle' } });
    await subscriber({
      channel: 'whatsapp-cloud',
      locale: 'en',
      tags: ['leipzig'],
      attributes: { city: 'Leipzig' },
    });
    await subscriber({ channel: 'webchat', locale: 'de' });
    await subscriber({ channel: 'telegram', locale: 'de', tags: ['vip'] }, 'events');
    await insertContact(store, { channel: 'telegram', tags: ['vip'] });

    expect(await previewRecipients(feature.db, 'roast-news', {})).toMatchObject({
      recipients: 4,
      byChannel: { telegram: 2, 'whatsapp-cloud': 1, webchat: 1 },
      byLocale: { de: 3, en: 1 },
    });
    expect(
      (await previewRecipients(feature.db, 'roast-news', { tags: { any: ['vip', 'leipzig'] } })).recipients,
    ).toBe(3);
    expect(
      (await previewRecipients(feature.db, 'roast-news', { tags: { all: ['vip', 'leipzig'] } })).recipients,
    ).toBe(1);
    expect(
      (await previewRecipients(feature.db, 'roast-news', { channels: ['telegram'], locales: ['de'] }))
        .recipients,
    ).toBe(2);
    expect(
      (await previewRecipients(feature.db, 'roast-news', { attributes: { city: 'Leipzig' } })).byLocale,
    ).toEqual({ de: 1, en: 1 });
    expect(await store.db.selectFrom('outbox').selectAll().execute()).toEqual([]);
  });

  it('fans out at the scheduled time in the recipients’ languages', async () => {
    const de = await subscriber({ locale: 'de' });
    const en = await subscriber({ locale: 'en', channel: 'messenger-meta' });
    const broadcast = await draft();
    await scheduleBroadcast(feature.db, broadcast.id, new Date('2026-12-01T09:00:00Z'), clock.now());
    await feature.runFanOut();
    expect(await outboxOf(broadcast.id)).toEqual([]);

    clock.set('2026-12-01T09:00:05Z');
    await feature.runFanOut();
    const rows = await outboxOf(broadcast.id);
    expect(rows.map((r) => [r.contact_id, r.channel, r.purpose, r.topic, r.next_attempt_at])).toEqual(
      [
        [de.id, 'telegram', 'broadcast', 'roast-news', Date.parse('2026-12-01T09:00:00Z')],
        [en.id, 'messenger-meta', 'broadcast', 'roast-news', Date.parse('2026-12-01T09:00:00Z')],
      ].sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    );
    const english = JSON.parse(rows.find((r) => r.contact_id === en.id)!.message);
    expect(english).toEqual({
      text: 'New: Christmas roast!',
      buttons: [
        { label: 'More', payload: 'go:shop.christmas?sku=xmas' },
        { label: 'Shop', url: 'https://bohnenglueck.example/shop' },
      ],
    });
    expect((await loadBroadcast(feature.db, broadcast.id)).status).toBe('sent');
  });

  it('fans out exactly once per person after a crash in the middle', async () => {
    const people = [];
    for (let i = 0; i < 7; i++) people.push(await subscriber());
    const sorted = people.map((p) => p.id).sort();
    const victim = sorted[3]!;
    // A fault in the second chunk's transaction stands in for the process dying there.
    if (dialect === 'sqlite') {
      await sql`CREATE TRIGGER crash BEFORE INSERT ON outbox WHEN NEW.contact_id = ${sql.lit(victim)} BEGIN SELECT RAISE(ABORT, 'simulated crash'); END`.execute(
        store.db,
      );
    } else {
      await sql`CREATE FUNCTION crash() RETURNS trigger AS $$ BEGIN IF NEW.contact_id = ${sql.lit(victim)} THEN RAISE EXCEPTION 'simulated crash'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql`.execute(
        store.db,
      );
      await sql`CREATE TRIGGER crash BEFORE INSERT ON outbox FOR EACH ROW EXECUTE FUNCTION crash()`.execute(
        store.db,
      );
    }
    const broadcast = await draft();
    await scheduleBroadcast(feature.db, broadcast.id, clock.now(), clock.now());
    await expect(feature.runFanOut()).rejects.toThrow(/simulated crash/);
    expect((await outboxOf(broadcast.id)).map((r) => r.contact_id)).toEqual(sorted.slice(0, 2));
    const recipients = await feature.db
      .selectFrom('newsletter_broadcast_recipients')
      .select('contact_id')
      .execute();
    expect(recipients).toHaveLength(2);

    await sql`DROP TRIGGER crash${sql.raw(dialect === 'postgres' ? ' ON outbox' : '')}`.execute(store.db);
    // "Restart": a new connection and a new feature instance resume from the cursor.
    const restarted = createNewsletterFeature(featureContext(await handle.open(), clock), {
      fanOutChunkSize: 2,
    });
    await restarted.runFanOut();
    await restarted.runFanOut();
    const rows = await outboxOf(broadcast.id);
    expect(rows.map((r) => r.contact_id)).toEqual(sorted);
    const final = await loadBroadcast(feature.db, broadcast.id);
    expect([final.status, final.recipient_count]).toEqual(['sent', 7]);

    // Even a lost cursor cannot queue anyone twice: the recipients table is the exactly-once key.
    await feature.db
      .updateTable('newsletter_broadcasts')
      .set({ status: 'running', fanout_cursor: null })
      .execute();
    await restarted.runFanOut();
    expect(await outboxOf(broadcast.id)).toHaveLength(7);
  });

  it('cancels a running broadcast: queued rows cancelled, no further chunks', async () => {
    for (let i = 0; i < 6; i++) await subscriber();
    const slow = createNewsletterFeature(featureContext(store, clock), {
      fanOutChunkSize: 2,
      fanOutMaxChunksPerTick: 1,
    });
    const broadcast = await draft();
    await scheduleBroadcast(feature.db, broadcast.id, clock.now(), clock.now());
    await slow.runFanOut();
    expect((await loadBroadcast(feature.db, broadcast.id)).status).toBe('running');
    expect(await outboxOf(broadcast.id)).toHaveLength(2);

    const { cancelledRows, broadcast: cancelled } = await cancelBroadcast(
      feature.db,
      broadcast.id,
      clock.now(),
    );
    expect(cancelledRows).toBe(2);
    expect(cancelled.status).toBe('cancelled');
    await slow.runFanOut();
    await slow.runFanOut();
    const rows = await outboxOf(broadcast.id);
    expect(rows.map((r) => r.status)).toEqual(['cancelled', 'cancelled']);
    await expect(cancelBroadcast(feature.db, broadcast.id, clock.now())).rejects.toThrow(
      /can no longer be cancelled/,
    );
  });

  it('reports delivery, unsubscribes after it and button clicks', async () => {
    const people = [];
    for (let i = 0; i < 4; i++) people.push(await subscriber());
    const broadcast = await draft();
    await scheduleBroadcast(feature.db, broadcast.id, clock.now(), clock.now());
    await feature.runFanOut();
    const rows = await outboxOf(broadcast.id);
    const t = clock.now().getTime();
    await store.db
      .updateTable('outbox')
      .set({ status: 'read', sent_at: t, delivered_at: t, read_at: t })
      .where('id', '=', rows[0]!.id)
      .execute();
    await store.db
      .updateTable('outbox')
      .set({ status: 'delivered', sent_at: t, delivered_at: t })
      .where('id', '=', rows[1]!.id)
      .execute();
    await store.db
      .updateTable('outbox')
      .set({ status: 'failed', failed_at: t })
      .where('id', '=', rows[2]!.id)
      .execute();

    const [unsubscribeWord, clickRecorder] = feature.interceptors ?? [];
    const byId = new Map(people.map((p) => [p.id, p]));
    const first = byId.get(rows[0]!.contact_id)!;
    const second = byId.get(rows[1]!.contact_id)!;
    clock.advance(3600_000);
    expect(
      await clickRecorder!.intercept(
        turnInput(first, clock.now(), { buttonPayload: 'go:shop.christmas?sku=xmas' }),
      ),
    ).toBeNull();
    await clickRecorder!.intercept(
      turnInput(first, clock.now(), { buttonPayload: 'go:shop.christmas?sku=xmas' }),
    );
    await clickRecorder!.intercept(turnInput(second, clock.now(), { buttonPayload: 'MENU' }));
    await unsubscribeWord!.intercept(turnInput(second, clock.now(), { text: 'Abmelden' }));
    clock.advance(8 * 24 * 3600_000);
    await unsubscribeWord!.intercept(
      turnInput(byId.get(rows[3]!.contact_id)!, clock.now(), { text: 'STOP' }),
    );

    const stats = await broadcastStatistics(feature.db, await loadBroadcast(feature.db, broadcast.id));
    expect(stats).toEqual({
      recipients: 4,
      queued: 0,
      held: 0,
      sent: 2,
      delivered: 2,
      read: 1,
      failed: 1,
      // The last person unsubscribed before it was sent: the STOP cancelled their queued row.
      cancelled: 1,
      unsubscribedAfter: 1,
      clicks: { total: 2, people: 1, byPayload: { 'go:shop.christmas?sku=xmas': 2 } },
    });
  });
});
