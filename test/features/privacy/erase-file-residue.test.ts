/**
 * Erasure on SQLite leaves no bytes behind in the FILES: a contact writes distinctive texts, is erased, and the
 * raw bytes of the database file and its write-ahead log are searched for those texts, while the store is still
 * open (the WAL holds old page images until a checkpoint) and after it is closed. Without `secure_delete` the
 * freed cells keep the old values; without the TRUNCATE checkpoint the WAL keeps the pages as first written.
 */
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eraseContact } from '../../../src/features/privacy/erase.js';
import type { Store } from '../../../src/store/database.js';
import { inbound } from '../../runtime/helpers.js';
import { type RunningPlausch, startPlausch } from '../../support/plausch-instance.js';
import { createTestDatabase, type TestStoreHandle } from '../../support/stores.js';

const CHANNEL_ID = 'tg-residue-99017';
const NAME = 'Wenzeslaus Pfefferkornova';
const EMAIL = 'wenzeslaus.pfk@residue-example.org';
const TEXT = 'Mein Geheimrezept ist Kardamom-Zimtschnecke Nr. 4711';

function residue(path: string): string[] {
  const files = [path, `${path}-wal`].filter((file) => existsSync(file));
  const hits: string[] = [];
  for (const file of files) {
    const bytes = readFileSync(file);
    for (const needle of [NAME, EMAIL, TEXT, 'Pfefferkornova', 'residue-example']) {
      if (bytes.includes(Buffer.from(needle, 'utf8'))) hits.push(`${file} contains "${needle}"`);
    }
  }
  return hits;
}

describe('erasure on a file-backed SQLite store', () => {
  let handle: TestStoreHandle;
  let store: Store;
  let running: RunningPlausch;
  let path: string;

  beforeAll(async () => {
    handle = await createTestDatabase('sqlite');
    path = handle.env.SQLITE_PATH as string;
    store = await handle.open();
    running = await startPlausch({ store });
    const { runtime } = running.plausch;
    const profile = { firstName: 'Wenzeslaus', lastName: 'Pfefferkornova', displayName: NAME };
    for (const text of ['Hallo', TEXT, `Schreibt mir an ${EMAIL}`]) {
      await runtime.accept(inbound(CHANNEL_ID, text, { profile }));
      await runtime.whenIdle();
    }
  }, 60_000);

  afterAll(async () => {
    await running?.stop();
    await handle?.dispose();
  });

  it('leaves the texts neither in the database file nor in its WAL, open or closed', async () => {
    // The texts really are on disk before: the test can fail.
    expect(residue(path).length).toBeGreaterThan(0);
    const contact = await store.db
      .selectFrom('contacts')
      .select('id')
      .where('channel_contact_id', '=', CHANNEL_ID)
      .executeTakeFirstOrThrow();
    await running.plausch.runtime.whenIdle();
    await eraseContact(store, contact.id, { key: 'test-key', source: 'api', now: new Date() });

    expect(residue(path)).toEqual([]);
    await running.stop();
    await store.close();
    expect(residue(path)).toEqual([]);
  });
});
