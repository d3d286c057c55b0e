import { afterEach, describe, expect, it } from 'vitest';
import { migrateToLatest } from '../../src/store/migrate.js';
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
