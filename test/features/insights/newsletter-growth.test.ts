/**
 * The newsletter growth chart's cumulative subscribers through real consent steps (request, confirm,
 * unsubscribe) and an erasure, which deletes subscriptions without an unsubscribe entry: on the last day the
 * figure must equal the active subscriptions in the store, on SQLite and PostgreSQL.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { computeFigure } from '../../../src/features/insights/figures.js';
import {
  confirmConsent,
  requestConsent,
  withdrawConsent,
  withNewsletterTables,
} from '../../../src/features/newsletter/consent-ledger.js';
import type { NewsletterDb } from '../../../src/features/newsletter/tables.js';
import { eraseContact } from '../../../src/features/privacy/erase.js';
import type { Store } from '../../../src/store/database.js';
import { migrateToLatest } from '../../../src/store/migrate.js';
import {
  createTestDatabase,
  dialectsUnderTest,
  notePostgresSkipped,
  type TestStoreHandle,
} from '../../support/stores.js';
import { insertContact } from '../newsletter/support.js';

notePostgresSkipped();

const DAY = 86_400_000;
const START = Date.UTC(2026, 10, 2, 9);

describe.each(dialectsUnderTest)('cumulative newsletter subscribers on %s', (dialect) => {
  let handle: TestStoreHandle;
  let store: Store;
  let db: NewsletterDb;

  beforeEach(async () => {
    handle = await createTestDatabase(dialect);
    store = await handle.open();
    await migrateToLatest(store);
    db = withNewsletterTables(store.db);
  });
  afterEach(async () => {
    await handle.dispose();
  });

  async function subscribe(contactId: string, channel: string, topic: string, at: number) {
    const subject = { contactId, channel, source: 'api' as const, now: new Date(at) };
    await requestConsent(db, subject, topic, 'Möchtest du die Röstpost?');
    expect(await confirmConsent(db, { ...subject, now: new Date(at + 60_000) }, topic)).toBe('confirmed');
  }

  it('counts up with opt-ins, down with unsubscribes and erasures, and ends at the active subscriptions', async () => {
    const people = [];
    for (let i = 0; i < 6; i++) people.push(await insertContact(store, { channel: 'telegram' }));
    // Day 0: three join roast-news (one of them events too); day 1: two more; one joined before the range.
    await subscribe(people[5]!.id, 'telegram', 'roast-news', START - 3 * DAY);
    for (const p of people.slice(0, 3)) await subscribe(p.id, 'telegram', 'roast-news', START);
    await subscribe(people[0]!.id, 'telegram', 'events', START);
    for (const p of people.slice(3, 5)) await subscribe(p.id, 'telegram', 'roast-news', START + DAY);
    // Day 2: one unsubscribes; day 3: one who had both topics is erased (no unsubscribe entries).
    await withdrawConsent(
      db,
      { contactId: people[1]!.id, channel: 'telegram', source: 'api', now: new Date(START + 2 * DAY) },
      'roast-news',
    );
    await eraseContact(store, people[0]!.id, {
      key: 'test-erasure-key-0123456789abcdef',
      source: 'api',
      now: new Date(START + 3 * DAY),
    });

    const figure = await computeFigure(store, 'newsletter', {
      from: new Date(Date.UTC(2026, 10, 2)),
      to: new Date(Date.UTC(2026, 10, 6)),
      channels: [],
      limit: 20,
    });
    const series = (topic: string) =>
      figure.rows.filter((r) => r.topic === topic).map((r) => [r.day, r.subscribers, r.erased]);
    expect(series('roast-news')).toEqual([
      ['2026-11-02', 4, 0],
      ['2026-11-03', 6, 0],
      ['2026-11-04', 5, 0],
      ['2026-11-05', 4, 1],
    ]);
    expect(series('events')).toEqual([
      ['2026-11-02', 1, 0],
      ['2026-11-03', 1, 0],
      ['2026-11-04', 1, 0],
      ['2026-11-05', 0, 1],
    ]);
    const active = await db
      .selectFrom('newsletter_subscriptions')
      .select(['topic', (eb) => eb.fn.countAll<number>().as('n')])
      .where('status', '=', 'active')
      .groupBy('topic')
      .execute();
    const activeOf = (topic: string) => Number(active.find((a) => a.topic === topic)?.n ?? 0);
    expect(activeOf('roast-news')).toBe(4);
    expect(activeOf('events')).toBe(0);
  });
});
