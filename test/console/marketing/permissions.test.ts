/**
 * Who may use the marketer's console API: marketers and admins read the dashboard, export and erase contacts;
 * agents and supervisors get 403; nobody signed in gets 401. On SQLite and PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestDatabase,
  dialectsUnderTest,
  notePostgresSkipped,
  type TestStoreHandle,
} from '../../support/stores.js';
import { addStaff, ConsoleClient, type ConsoleInstance, startConsoleInstance } from '../support.js';

notePostgresSkipped();

describe.each(dialectsUnderTest)('marketing console permissions on %s', (dialect) => {
  let handle: TestStoreHandle;
  let instance: ConsoleInstance;
  const clients: Record<string, ConsoleClient> = {};

  beforeAll(async () => {
    handle = await createTestDatabase(dialect);
    const store = await handle.open();
    instance = await startConsoleInstance(store);
    for (const [email, role] of [
      ['mara@example.com', 'marketer'],
      ['ada@example.com', 'admin'],
      ['anna@example.com', 'agent'],
      ['sven@example.com', 'supervisor'],
    ] as const) {
      await addStaff(store, email, role, role === 'agent' ? 'service' : null);
      const client = new ConsoleClient(instance.baseUrl);
      expect((await client.login(email)).status).toBe(200);
      clients[role] = client;
    }
  }, 60_000);
  afterAll(async () => {
    await instance?.stop();
    await handle?.dispose();
  });

  const reads = ['/console/api/insights/conversations', '/console/api/insights/referrals-geo?format=csv'];

  it('lets marketers and admins read the dashboard figures', async () => {
    for (const role of ['marketer', 'admin']) {
      for (const path of reads) {
        expect((await clients[role]!.request('GET', path)).status, `${role} ${path}`).toBe(200);
      }
    }
  });

  it('refuses agents and supervisors with 403 and strangers with 401', async () => {
    for (const role of ['agent', 'supervisor']) {
      for (const path of reads) {
        expect((await clients[role]!.request('GET', path)).status, `${role} ${path}`).toBe(403);
      }
    }
    expect((await new ConsoleClient(instance.baseUrl).request('GET', reads[0]!)).status).toBe(401);
  });
});
