/**
 * Erasure leaves nothing personal behind: a contact talks to the bot (transcript, inbound events, outbox,
 * an unanswered question), subscribes (consent ledger), gets a referral code, becomes a lead; then it is
 * erased over the API and EVERY column of EVERY table (read from the schema) is searched for the name, the
 * phone number, the e-mail, the channel id and the message texts: zero hits. The ledger keeps its entries
 * (pseudonymised) and still refuses any other change; the dashboard's counts stay the same. SQLite and PostgreSQL.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  confirmConsent,
  requestConsent,
  withNewsletterTables,
} from '../../../src/features/newsletter/consent-ledger.js';
import type { Store } from '../../../src/store/database.js';
import { rememberContactAttributes } from '../../../src/store/repositories/contacts.js';
import { inbound } from '../../runtime/helpers.js';
import { type RunningPlausch, startPlausch, TEST_API_TOKEN } from '../../support/plausch-instance.js';
import {
  createTestDatabase,
  dialectsUnderTest,
  notePostgresSkipped,
  type TestStoreHandle,
} from '../../support/stores.js';

notePostgresSkipped();

const CHANNEL_ID = 'tg-erase-7781234';
const FIRST = 'Zacharias';
const LAST = 'Quellenbach';
const PHONE = '+49 170 5550123';
const EMAIL = 'zacharias.q@example.org';
const TEXTS = ['Meine Lieblingsbohne heißt Sidamo Guji', 'Liefert ihr Rohkaffee nach Wolkenkuckucksheim?'];

/** Every (table, column) of the schema, from the database's own catalogue. */
async function allColumns(store: Store): Promise<Array<{ table: string; column: string }>> {
  if (store.dialect === 'postgres') {
    const rows = await sql<{ table_name: string; column_name: string }>`
      select table_name, column_name from information_schema.columns
      where table_schema = current_schema()`.execute(store.db);
    return rows.rows.map((r) => ({ table: r.table_name, column: r.column_name }));
  }
  const tables = await sql<{ name: string }>`
    select name from sqlite_master where type = 'table' and name not like 'sqlite_%'`.execute(store.db);
  const result: Array<{ table: string; column: string }> = [];
  for (const { name } of tables.rows) {
    const columns = await sql<{ name: string }>`select name from pragma_table_info(${name})`.execute(
      store.db,
    );
    for (const column of columns.rows) result.push({ table: name, column: column.name });
  }
  return result;
}

/** Reads every row of every table and looks for each needle in every column's text (case-insensitive). */
async function findEverywhere(store: Store, needles: string[]): Promise<string[]> {
  const hits: string[] = [];
  const byTable = new Map<string, string[]>();
  for (const { table, column } of await allColumns(store))
    byTable.set(table, [...(byTable.get(table) ?? []), column]);
  for (const [table, columns] of byTable) {
    const rows = await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(store.db);
    for (const row of rows.rows) {
      for (const column of columns) {
        const value = row[column];
        if (value === null || value === undefined) continue;
        const text = (typeof value === 'string' ? value : JSON.stringify(value)).toLowerCase();
        for (const needle of needles) {
          if (text.includes(needle.toLowerCase())) hits.push(`${table}.${column} contains "${needle}"`);
        }
      }
    }
  }
  return [...new Set(hits)];
}

describe.each(dialectsUnderTest)('erasing a contact on %s', (dialect) => {
  let handle: TestStoreHandle;
  let running: RunningPlausch;
  let store: Store;
  let contactId: string;

  const api = (method: string, path: string, body?: unknown) =>
    fetch(`${running.baseUrl}/api/v1${path}`, {
      method,
      headers: { Authorization: `Bearer ${TEST_API_TOKEN}`, 'Content-Type': 'application/json' },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });

  beforeAll(async () => {
    handle = await createTestDatabase(dialect);
    store = await handle.open();
    running = await startPlausch({ store });
    const { runtime } = running.plausch;
    const profile = {
      firstName: FIRST,
      lastName: LAST,
      displayName: `${FIRST} ${LAST}`,
      phone: PHONE,
      username: 'zacq',
    };
    await runtime.accept(inbound(CHANNEL_ID, 'Hallo', { profile }));
    await runtime.whenIdle();
    for (const text of [...TEXTS, `Schreibt mir an ${EMAIL}`]) {
      await runtime.accept(inbound(CHANNEL_ID, text, { profile }));
      await runtime.whenIdle();
    }
    const contact = await store.db
      .selectFrom('contacts')
      .select('id')
      .where('channel_contact_id', '=', CHANNEL_ID)
      .executeTakeFirstOrThrow();
    contactId = contact.id;
    // What other paths write: flow variables remembered on the contact, consent, a referral code, a lead,
    // an unanswered question.
    await store.db
      .transaction()
      .execute((trx) =>
        rememberContactAttributes(
          trx,
          contactId,
          { email: EMAIL, name: `${FIRST} ${LAST}` },
          { lockRow: false },
        ),
      );
    const ndb = withNewsletterTables(store.db);
    const subject = { contactId, channel: 'telegram', source: 'api' as const, now: new Date() };
    await requestConsent(ndb, subject, 'roast-news', 'Möchtest du einmal im Monat die Röst-News?');
    await confirmConsent(ndb, { ...subject, now: new Date() }, 'roast-news');
    // biome-ignore lint/suspicious/noExplicitAny: writing rows of several features directly
    const anyDb = store.db as any;
    await anyDb
      .insertInto('referral_codes')
      .values({
        id: 'code-1',
        code: 'ZACQ77',
        contact_id: contactId,
        campaign_id: 'freunde',
        channel: 'telegram',
        joined_count: 0,
        created_at: Date.now(),
      })
      .execute();
    await anyDb
      .insertInto('crm_deliveries')
      .values({
        id: 'lead-1',
        contact_id: contactId,
        channel: 'telegram',
        campaign_id: null,
        referrer_contact_id: null,
        payload: JSON.stringify({ name: `${FIRST} ${LAST}`, email: EMAIL, phone: PHONE }),
        status: 'pending',
        attempts: 0,
        next_attempt_at: Date.now(),
        created_at: Date.now(),
      })
      .execute();
    await anyDb
      .insertInto('faq_unanswered')
      .values({
        id: 'u-1',
        text: TEXTS[1],
        normalized: 'rohkaffee wolkenkuckucksheim',
        locale: 'de',
        channel: 'telegram',
        contact_id: contactId,
        best_score: 0.1,
        asked_at: Date.now(),
      })
      .execute();
  }, 60_000);

  afterAll(async () => {
    await running?.stop();
    await handle?.dispose();
  });

  const needles = [
    FIRST,
    LAST,
    PHONE,
    PHONE.replace(/\D/g, '').slice(2),
    EMAIL,
    CHANNEL_ID,
    'ZACQ77',
    'zacq',
    ...TEXTS,
  ];

  it('finds the person in many tables before, exports it all as JSON, then erases and finds nothing', async () => {
    const before = await findEverywhere(store, needles);
    expect(before.length).toBeGreaterThan(5);

    const exported = await api('GET', `/contacts/${contactId}/export`);
    expect(exported.status).toBe(200);
    const document = (await exported.json()) as {
      contact: { first_name: string };
      data: Record<string, unknown[]>;
    };
    expect(document.contact.first_name).toBe(FIRST);
    expect(document.data.messages!.length).toBeGreaterThan(3);
    expect(document.data.newsletter_consent_ledger!.length).toBe(2);
    expect(JSON.stringify(document)).toContain(EMAIL);

    const conversationsBefore = await countInboundConversations(store);
    const ledgerBefore = await ledgerSize(store);

    expect((await api('DELETE', `/contacts/${contactId}`, { confirm: 'nope' })).status).toBe(400);
    const erased = await api('DELETE', `/contacts/${contactId}`, { confirm: contactId });
    expect(erased.status).toBe(200);
    const result = (await erased.json()) as { pseudonym: string; alreadyErased: boolean };
    expect(result.pseudonym).toMatch(/^erased:[0-9a-f]{32}$/);

    expect(await findEverywhere(store, needles)).toEqual([]);

    // Aggregates survive: the conversation still counts, the ledger kept every entry plus the tombstone.
    expect(await countInboundConversations(store)).toBe(conversationsBefore);
    expect(await ledgerSize(store)).toBe(ledgerBefore + 1);
    const ledger = await withNewsletterTables(store.db)
      .selectFrom('newsletter_consent_ledger')
      .select(['contact_id', 'action'])
      .orderBy('created_at')
      .execute();
    expect(ledger.every((l) => l.contact_id === result.pseudonym)).toBe(true);
    expect(ledger.map((l) => l.action)).toEqual(['requested', 'confirmed', 'erased']);

    // Erasing again is harmless; the contact is no longer found by search.
    const again = (await (await api('DELETE', `/contacts/${contactId}`, { confirm: contactId })).json()) as {
      alreadyErased: boolean;
    };
    expect(again.alreadyErased).toBe(true);
    const search = (await (await api('GET', `/contacts?q=${FIRST}`)).json()) as { items: unknown[] };
    expect(search.items).toEqual([]);
  });

  it('keeps the ledger append-only apart from that one pseudonymisation', async () => {
    const ldb = withNewsletterTables(store.db);
    await expect(ldb.deleteFrom('newsletter_consent_ledger').execute()).rejects.toThrow(/append-only/);
    await expect(
      ldb
        .updateTable('newsletter_consent_ledger')
        .set({ action: 'confirmed' })
        .where('action', '=', 'erased')
        .execute(),
    ).rejects.toThrow(/append-only/);
    // A second pseudonymisation (or re-identification) is refused too.
    await expect(
      ldb.updateTable('newsletter_consent_ledger').set({ contact_id: 'someone-else' }).execute(),
    ).rejects.toThrow(/append-only/);
    await expect(
      ldb.updateTable('newsletter_consent_ledger').set({ contact_id: 'erased:other' }).execute(),
    ).rejects.toThrow(/append-only/);
  });

  it('answers 404 for an unknown contact', async () => {
    expect((await api('GET', '/contacts/nobody/export')).status).toBe(404);
    expect((await api('DELETE', '/contacts/nobody', { confirm: 'nobody' })).status).toBe(404);
  });
});

async function countInboundConversations(store: Store): Promise<number> {
  const row = await store.db
    .selectFrom('messages')
    .select(sql<number>`count(distinct conversation_id)`.as('n'))
    .where('direction', '=', 'in')
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

async function ledgerSize(store: Store): Promise<number> {
  const row = await withNewsletterTables(store.db)
    .selectFrom('newsletter_consent_ledger')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
