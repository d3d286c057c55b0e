import { afterEach, describe, expect, it } from 'vitest';
import { isForeignSchemaRace, migrateToLatest } from '../../src/store/migrate.js';
import {
  createTestDatabase,
  dialectsUnderTest,
  notePostgresSkipped,
  type TestStoreHandle,
} from '../support/stores.js';

notePostgresSkipped();

describe.each(dialectsUnderTest)('migrations on %s', (dialect) => {
  let handle: TestStoreHandle | undefined;
  afterEach(async () => handle?.dispose());

  it('creates the core tables and is idempotent', async () => {
    handle = await createTestDatabase(dialect);
    const store = await handle.open();
    const again = await migrateToLatest(store);
    expect(again.applied).toEqual([]);
    await store.db
      .insertInto('contacts')
      .values({
        id: 'c1',
        channel: 'cli',
        channel_contact_id: 'x',
        locale: 'de',
        tags: '[]',
        attributes: '{}',
        created_at: 1,
        display_name: null,
        first_name: null,
        last_name: null,
        username: null,
        phone: null,
        reply_address: null,
        last_inbound_at: null,
      })
      .execute();
    const row = await store.db.selectFrom('contacts').selectAll().executeTakeFirstOrThrow();
    expect(row.created_at).toBe(1);
  });
});

describe('retrying a migration that lost a race with another schema being dropped', () => {
  const pgError = (code: string, message: string) => Object.assign(new Error(message), { code });

  it('retries when the missing schema or relation belongs to someone else', () => {
    expect(isForeignSchemaRace(pgError('3F000', 'schema "t_e2b9f857d695" does not exist'), 't_mine')).toBe(
      true,
    );
    expect(
      isForeignSchemaRace(
        pgError('42P01', 'relation "t_43bb8e2ea697.inbound_events" does not exist'),
        't_mine',
      ),
    ).toBe(true);
  });

  it('does not retry errors about our own schema, other errors, or SQLite', () => {
    expect(isForeignSchemaRace(pgError('3F000', 'schema "t_mine" does not exist'), 't_mine')).toBe(false);
    expect(isForeignSchemaRace(pgError('42P01', 'relation "t_mine.contacts" does not exist'), 't_mine')).toBe(
      false,
    );
    expect(isForeignSchemaRace(pgError('23505', 'duplicate key value'), 't_mine')).toBe(false);
    expect(isForeignSchemaRace(pgError('3F000', 'schema "t_x" does not exist'), undefined)).toBe(false);
  });
});
