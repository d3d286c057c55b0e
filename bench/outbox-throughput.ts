/**
 * Outbox throughput: messages/second through the OutboxWorker with a no-op adapter and pacing off, on SQLite
 * and PostgreSQL, against a baseline measured in the same run (plain single-row inserts into the outbox).
 * Run: npx tsx bench/outbox-throughput.ts   (PostgreSQL: TEST_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test)
 */
import { performance } from 'node:perf_hooks';
import { silentLogger } from '../src/logger.js';
import { enqueueOutbound } from '../src/outbox/enqueue.js';
import { OutboxWorker } from '../src/outbox/worker.js';
import { InProcessEventBus } from '../src/runtime/events.js';
import type { Store, StoreDialect } from '../src/store/database.js';
import { FakeAdapter } from '../test/support/fake-adapter.js';

process.env.TEST_DATABASE_URL ??= 'postgres://postgres@127.0.0.1:5432/test';
const { createTestDatabase } = await import('../test/support/stores.js');
const { createContact } = await import('../test/outbox/helpers.js');

const ROWS = Number(process.env.BENCH_ROWS ?? 2000);
const CONTACTS = 200;

async function insertBaseline(store: Store, contactIds: string[]): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < ROWS; i += 1) {
    await enqueueOutbound(store.db, [
      {
        contactId: contactIds[i % contactIds.length]!,
        conversationId: null,
        channel: 'telegram',
        message: { text: `baseline ${i}` },
        purpose: 'broadcast',
        // Far in the future: the baseline rows are never due.
        notBefore: new Date(Date.now() + 86_400_000),
      },
    ]);
  }
  return ROWS / ((performance.now() - started) / 1000);
}

async function workerThroughput(store: Store, contactIds: string[]): Promise<number> {
  const items = Array.from({ length: ROWS }, (_, i) => ({
    contactId: contactIds[i % contactIds.length]!,
    conversationId: null,
    channel: 'telegram' as const,
    message: { text: `row ${i}` },
    purpose: 'broadcast' as const,
  }));
  await enqueueOutbound(store.db, items);
  const adapter = new FakeAdapter();
  const worker = new OutboxWorker({
    store,
    logger: silentLogger,
    adapters: new Map([['telegram', adapter]]),
    guards: () => [],
    events: new InProcessEventBus(),
    instanceId: 'bench',
    pollIntervalMs: 5,
    maxInFlight: 64,
  });
  const started = performance.now();
  worker.start();
  while (adapter.sends.length < ROWS) await new Promise((resolve) => setTimeout(resolve, 2));
  const seconds = (performance.now() - started) / 1000;
  await worker.stop();
  return ROWS / seconds;
}

async function run(dialect: StoreDialect) {
  const handle = await createTestDatabase(dialect);
  try {
    const store = await handle.open();
    const contacts = [];
    for (let i = 0; i < CONTACTS; i += 1) contacts.push((await createContact(store, `bench-${i}`)).id);
    const baseline = await insertBaseline(store, contacts);
    const throughput = await workerThroughput(store, contacts);
    return { dialect, baseline, throughput };
  } finally {
    await handle.dispose();
  }
}

const results = [await run('sqlite')];
try {
  results.push(await run('postgres'));
} catch (error) {
  console.warn(`PostgreSQL skipped: ${error instanceof Error ? error.message : String(error)}`);
}
console.log(`outbox throughput, ${ROWS} rows over ${CONTACTS} chats, no-op adapter, pacing off`);
console.table(
  results.map((r) => ({
    dialect: r.dialect,
    'baseline single-row inserts/s': Math.round(r.baseline),
    'worker sends/s (claim+guard+send+record)': Math.round(r.throughput),
    'ratio worker/baseline': (r.throughput / r.baseline).toFixed(2),
  })),
);
