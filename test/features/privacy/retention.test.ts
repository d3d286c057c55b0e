/**
 * Retention: older transcript texts are blanked (rows kept), old inbound events, unanswered questions and
 * referral clicks deleted, recent ones and pending events kept; the lease lets one instance of a cluster run
 * the purge. SQLite and PostgreSQL.
 */
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimLease, purgeExpired, runRetentionOnce } from '../../../src/features/privacy/retention.js';
import type { Store } from '../../../src/store/database.js';
import {
  createTestDatabase,
  dialectsUnderTest,
  notePostgresSkipped,
  type TestStoreHandle,
} from '../../support/stores.js';

notePostgresSkipped();
const DAY = 86_400_000;

describe.each(dialectsUnderTest)('retention on %s', (dialect) => {
  let handle: TestStoreHandle;
  let store: Store;
  // biome-ignore lint/suspicious/noExplicitAny: seeding several features' tables
  let db: Kysely<any>;
  const now = new Date(Date.UTC(2026, 11, 1, 12));
  const ago = (days: number) => now.getTime() - days * DAY;

  beforeAll(async () => {
    handle = await createTestDatabase(dialect);
    store = await handle.open();
    db = store.db;
    const message = (id: string, days: number) => ({
      id,
      conversation_id: 'v1',
      contact_id: 'c1',
      direction: 'in',
      author: 'contact',
      agent_id: null,
      text: `Text ${id}`,
      details: null,
      inbound_event_id: null,
      outbox_id: null,
      created_at: ago(days),
    });
    await db
      .insertInto('messages')
      .values([message('m-old', 200), message('m-new', 10)])
      .execute();
    const event = (id: string, days: number, status: string) => ({
      id,
      channel: 'telegram',
      native_id: id,
      contact_id: 'c1',
      conversation_id: 'v1',
      message: '{}',
      status,
      error: null,
      received_at: ago(days),
      processed_at: null,
    });
    await db
      .insertInto('inbound_events')
      .values([
        event('e-old', 40, 'processed'),
        event('e-stuck', 40, 'pending'),
        event('e-new', 5, 'processed'),
      ])
      .execute();
    const click = (id: string, days: number) => ({
      id,
      code_id: 'k',
      campaign_id: 'freunde',
      referrer_contact_id: 'c1',
      referrer_channel: 'telegram',
      visitor_id: null,
      visitor_hash: 'h',
      day: '2025-01-01',
      country: null,
      region: null,
      referer: null,
      agent_class: 'mobile',
      is_bot: 0,
      is_unique: 1,
      created_at: ago(days),
    });
    await db
      .insertInto('referral_clicks')
      .values([click('k-old', 400), click('k-new', 100)])
      .execute();
    await db
      .insertInto('faq_unanswered')
      .values({
        id: 'u-old',
        text: 'alt',
        normalized: 'alt',
        locale: 'de',
        channel: 'telegram',
        contact_id: 'c1',
        best_score: 0,
        asked_at: ago(181),
      })
      .execute();
  });
  afterAll(async () => handle?.dispose());

  it('purges what is older than each limit and keeps the rest', async () => {
    const counts = await purgeExpired(store, { transcriptDays: 180, inboundDays: 30, clicksDays: 395 }, now);
    expect(counts).toEqual({
      transcript_texts: 1,
      unanswered_questions: 1,
      inbound_events: 1,
      referral_clicks: 1,
    });
    const messages = await db.selectFrom('messages').select(['id', 'text']).orderBy('id').execute();
    expect(messages).toEqual([
      { id: 'm-new', text: 'Text m-new' },
      { id: 'm-old', text: null },
    ]);
    const events = await db.selectFrom('inbound_events').select('id').orderBy('id').execute();
    expect(events.map((e) => e.id)).toEqual(['e-new', 'e-stuck']);
    expect((await db.selectFrom('referral_clicks').select('id').execute()).map((c) => c.id)).toEqual([
      'k-new',
    ]);
    // 0 keeps forever.
    expect(
      await purgeExpired(
        store,
        { transcriptDays: 0, inboundDays: 0, clicksDays: 0 },
        new Date(now.getTime() + 9999 * DAY),
      ),
    ).toEqual({
      transcript_texts: 0,
      unanswered_questions: 0,
      inbound_events: 0,
      referral_clicks: 0,
    });
  });

  it('lets one instance of the cluster hold the lease until it runs out', async () => {
    const later = new Date(now.getTime() + 1000);
    expect(await claimLease(store, 'test-job', 'instance-a', later, 60_000)).toBe(true);
    expect(await claimLease(store, 'test-job', 'instance-b', new Date(later.getTime() + 1000), 60_000)).toBe(
      false,
    );
    expect(
      await claimLease(store, 'test-job', 'instance-b', new Date(later.getTime() + 61_000), 60_000),
    ).toBe(true);
    const limits = { transcriptDays: 180, inboundDays: 30, clicksDays: 395 };
    const [a, b] = await Promise.all([
      runRetentionOnce(store, limits, 'instance-a', now, 60_000),
      runRetentionOnce(store, limits, 'instance-b', now, 60_000),
    ]);
    expect([a, b].filter((r) => r !== null)).toHaveLength(1);
  });
});
