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
    // Hold the lock well past the lease, so the row would be reclaimed and sent again by the old code.
    await new Promise((resolve) => setTimeout(resolve, 600));
    other.exec('COMMIT');
    other.close();
    await waitFor(async () => (await outboxRow(store, id!)).status === 'sent', 'the sent row', 10_000);
    // Give the claim loop several more rounds to prove it does not send again.
    await new Promise((resolve) => setTimeout(resolve, 400));
    await worker.stop();
    expect(adapter.attempts).toHaveLength(1);
    const row = await outboxRow(store, id!);
    expect(row.status).toBe('sent');
    expect(row.native_message_id).toBe('fake-1');
  });
});
