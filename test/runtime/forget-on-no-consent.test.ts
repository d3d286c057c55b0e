/**
 * The lead flow's "no consent" path forgets the e-mail the customer typed (conversation.forget): after the
 * turn, no text column of the conversations, transcript (messages) or inbound_events tables holds it, the
 * customer's line reads "[entfernt]", and the stored raw payload is still valid JSON. SQLite and PostgreSQL.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/database.js';
import { type RunningPlausch, startPlausch } from '../support/plausch-instance.js';
import {
  createTestDatabase,
  dialectsUnderTest,
  notePostgresSkipped,
  type TestStoreHandle,
} from '../support/stores.js';
import { inbound } from './helpers.js';

notePostgresSkipped();

const EMAIL = 'Ottilie.Brennessel@nokonsens.example';
const TABLES = ['conversations', 'messages', 'inbound_events'];

/** Every row and every column of the tables, as text, that contains the needle (case-insensitive). */
async function hits(store: Store, needle: string): Promise<string[]> {
  const found: string[] = [];
  for (const table of TABLES) {
    const rows = await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(store.db);
    for (const row of rows.rows) {
      for (const [column, value] of Object.entries(row)) {
        if (value === null || value === undefined) continue;
        const text = typeof value === 'string' ? value : JSON.stringify(value);
        if (text.toLowerCase().includes(needle.toLowerCase())) found.push(`${table}.${column}`);
      }
    }
  }
  return [...new Set(found)];
}

describe.each(dialectsUnderTest)('no consent in the lead flow on %s', (dialect) => {
  let handle: TestStoreHandle;
  let store: Store;
  let running: RunningPlausch;
  const contact = `tg-noconsent-${dialect}`;

  const say = async (text: string) => {
    await running.plausch.runtime.accept(inbound(contact, text));
    await running.plausch.runtime.whenIdle();
  };

  beforeAll(async () => {
    handle = await createTestDatabase(dialect);
    store = await handle.open();
    running = await startPlausch({ store });
  }, 60_000);

  afterAll(async () => {
    await running?.stop();
    await handle?.dispose();
  });

  it('stores the e-mail while asking, and after "nein" it appears in no table', async () => {
    await say('rückruf');
    await say(`Gern: ${EMAIL}`);
    await say('5');
    // The test can fail: the address is in the state, the transcript and the inbound event now.
    expect(await hits(store, EMAIL)).toEqual(
      expect.arrayContaining(['conversations.state', 'messages.text', 'inbound_events.message']),
    );
    await say('morgen');
    await say('nein');

    expect(await hits(store, EMAIL)).toEqual([]);
    const lines = await store.db
      .selectFrom('messages')
      .select(['direction', 'text'])
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    const customer = lines.filter((l) => l.direction === 'in').map((l) => l.text);
    expect(customer).toEqual(['rückruf', '[entfernt]', '5', 'morgen', 'nein']);
    expect(lines.at(-1)?.text).toContain('Deine E-Mail-Adresse habe ich gelöscht');
    const events = await store.db.selectFrom('inbound_events').select('message').execute();
    for (const event of events) expect(() => JSON.parse(String(event.message))).not.toThrow();
    expect(events.some((e) => String(e.message).includes('[entfernt]'))).toBe(true);
  });
});
