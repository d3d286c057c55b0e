/**
 * Recording "sent" must never lose to a database hiccup: the process knows the platform took the message,
 * so it retries the record, never the send — even when the row's lease runs out meanwhile and the claim
 * loop meets the row again.
 */
import SQLite from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../runtime/helpers.js';
import { FakeAdapter } from '../support/fake-adapter.js';
import { createTestDatabase, type TestStoreHandle } from '../support/stores.js';
import { createContact, createWorker, enqueueTexts, outboxRow } from './helpers.js';

describe('recording a successful send', () => {
  let handle: TestStoreHandle | undefined;
  const stoppers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const stop of stoppers.splice(0)) await stop();
    await handle?.dispose();
    handle = undefined;
  });

  it('retries the record after a transient database error and never sends twice', async () => {
    handle = await createTestDatabase('sqlite');
    const store = await handle.open();
    const contact = await createContact(store, 'c-transient');
    const [id] = await enqueueTexts(store, contact, ['genau einmal']);
    const path = store.description;
    // Another process takes the write lock right while the platform accepts the send: every write of ours
    // fails (busy) until it lets go, longer than the row's lease.
    const other = new SQLite(path);
    const adapter = new FakeAdapter();
    let locked = false;
    adapter.failWhen(() => {
      if (!locked) {
        locked = true;
        other.exec('BEGIN IMMEDIATE');
      }
      return null;
    });
    const { worker } = createWorker(store, [adapter], { leaseMs: 200, pollIntervalMs: 20 });
    worker.start();
    stoppers.push(() => worker.stop());
    await waitFor(() => adapter.sends.length === 1, 'the first send');
    // Hold the lock past the row's lease (read inside the lock holder's own transaction), so the old code
    // would reclaim the row and send it again.
    const lease = other.prepare('SELECT locked_until FROM outbox WHERE id = ?');
    const leasedUntil = Number((lease.get(id) as { locked_until: number }).locked_until);
    await waitFor(() => Date.now() > leasedUntil + 100, 'the lease to run out');
    other.exec('COMMIT');
    other.close();
    await waitFor(async () => (await outboxRow(store, id!)).status === 'sent', 'the sent row', 10_000);
    // The claim loop goes on (it picks up a later row) and still does not send the first one again.
    await enqueueTexts(store, contact, ['danach']);
    await waitFor(() => adapter.sends.length === 2, 'the later row');
    await worker.stop();
    expect(adapter.attempts.map((a) => a.text)).toEqual(['genau einmal', 'danach']);
    const row = await outboxRow(store, id!);
    expect(row.status).toBe('sent');
    expect(row.native_message_id).toBe('fake-1');
  });
});
