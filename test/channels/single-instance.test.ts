/**
 * A channel that must run on one instance only (WhatsApp Web): of two instances on one database exactly one
 * runs it, the other stands by (healthy, degraded, sends nothing) and takes over when the holder stops —
 * at once after a clean stop, after the lease when the holder can no longer reach the database, which then
 * stops its own session first. The standby's outbox leaves the channel's rows alone.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { runOnOneInstance } from '../../src/channels/single-instance.js';
import type { InboundSink } from '../../src/channels/types.js';
import { silentLogger } from '../../src/logger.js';
import { openStore, type Store } from '../../src/store/database.js';
import { createContact, createWorker, enqueueTexts, outboxRow } from '../outbox/helpers.js';
import { waitFor } from '../runtime/helpers.js';
import { FakeAdapter } from '../support/fake-adapter.js';
import {
  createTestDatabase,
  dialectsUnderTest,
  notePostgresSkipped,
  type TestStoreHandle,
} from '../support/stores.js';

notePostgresSkipped();

const sink: InboundSink = {
  accept: async () => 'accepted',
  acceptDeliveryReport: async () => {},
} as unknown as InboundSink;

class CountingAdapter extends FakeAdapter {
  running = 0;
  override async start(s: InboundSink): Promise<void> {
    this.running += 1;
    await super.start(s);
  }
  override async stop(): Promise<void> {
    this.running -= 1;
    await super.stop();
  }
}

function instance(store: Store, id: string, leaseMs = 600) {
  const inner = new CountingAdapter({ name: 'whatsapp-web' });
  const adapter = runOnOneInstance(inner, {
    store,
    instanceId: id,
    logger: silentLogger,
    leaseMs,
    renewMs: 50,
  });
  return { inner, adapter };
}

describe.each(dialectsUnderTest)('one instance runs WhatsApp Web (%s)', (dialect) => {
  let handle: TestStoreHandle | undefined;
  const stoppers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const stop of stoppers.splice(0).reverse()) await stop();
    await handle?.dispose();
    handle = undefined;
  });

  it('runs on the lease holder only and fails over after a clean stop', async () => {
    handle = await createTestDatabase(dialect);
    const a = instance(await handle.open(), 'a');
    const b = instance(await handle.open(), 'b');
    await a.adapter.start(sink);
    await b.adapter.start(sink);
    stoppers.push(
      () => a.adapter.stop(),
      () => b.adapter.stop(),
    );
    expect(a.inner.running).toBe(1);
    expect(b.inner.running).toBe(0);
    expect(a.adapter.sendsHere?.()).toBe(true);
    expect(b.adapter.sendsHere?.()).toBe(false);
    expect(b.adapter.health()).toEqual({
      state: 'degraded',
      detail: 'standby: whatsapp-web runs on instance a',
    });
    await expect(
      b.adapter.send({ contact: {} as never, conversationId: null }, { text: 'x' }),
    ).rejects.toThrow(/runs on another instance/);

    await a.adapter.stop();
    await waitFor(() => b.inner.running === 1, 'the standby to take over');
    expect(a.inner.running).toBe(0);
  });

  it('a holder that cannot renew stops its session before the standby starts one', async () => {
    handle = await createTestDatabase(dialect);
    // Its own connection (not the handle's), closed below as a lost database would be.
    const storeA = openStore({
      databaseUrl: handle.env.DATABASE_URL ?? '',
      sqlitePath: handle.env.SQLITE_PATH ?? '',
    });
    const a = instance(storeA, 'a');
    const b = instance(await handle.open(), 'b');
    await a.adapter.start(sink);
    await b.adapter.start(sink);
    stoppers.push(
      () => a.adapter.stop(),
      () => b.adapter.stop(),
    );
    expect(a.inner.running).toBe(1);
    let overlap = false;
    const watch = setInterval(() => {
      if (a.inner.running + b.inner.running > 1) overlap = true;
    }, 5);
    try {
      // A's database connection goes away: it can no longer renew.
      await storeA.close();
      await waitFor(() => b.inner.running === 1, 'the standby to take over', 20_000);
    } finally {
      clearInterval(watch);
    }
    expect(a.inner.running).toBe(0);
    expect(overlap).toBe(false);
  });

  it("the standby's outbox leaves the channel's rows to the holder", async () => {
    handle = await createTestDatabase(dialect);
    const store = await handle.open();
    const standby = instance(await handle.open(), 'b');
    const holder = instance(store, 'a');
    await holder.adapter.start(sink);
    await standby.adapter.start(sink);
    stoppers.push(
      () => holder.adapter.stop(),
      () => standby.adapter.stop(),
    );
    const contact = await createContact(store, '491761234', { channel: 'whatsapp-web' });
    const [id] = await enqueueTexts(store, contact, ['nur einmal']);
    const { worker } = createWorker(store, [standby.adapter as FakeAdapter], { instanceId: 'b' });
    expect(await worker.runOnce()).toBe(0);
    expect((await outboxRow(store, id!)).status).toBe('queued');
    const { worker: holderWorker } = createWorker(store, [holder.adapter as FakeAdapter], {
      instanceId: 'a',
    });
    expect(await holderWorker.runOnce()).toBe(1);
    expect(holder.inner.sends.map((s) => s.message.text)).toEqual(['nur einmal']);
  });
});
