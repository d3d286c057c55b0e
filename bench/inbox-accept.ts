/**
 * Inbound accepts/second (the exactly-once transaction: contact, conversation, dedupe, transcript) on SQLite
 * and PostgreSQL, against a baseline measured in the same run (plain single-row inserts into inbound_events).
 * Processing is switched off so only `accept` is measured.
 * Run: npx tsx bench/inbox-accept.ts   (PostgreSQL: TEST_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test)
 */
import { performance } from 'node:perf_hooks';
import type { Store, StoreDialect } from '../src/store/database.js';
import { newId } from '../src/store/ids.js';

process.env.TEST_DATABASE_URL ??= 'postgres://postgres@127.0.0.1:5432/test';
const { createTestDatabase } = await import('../test/support/stores.js');
const { createRuntime, inbound } = await import('../test/runtime/helpers.js');

const EVENTS = Number(process.env.BENCH_EVENTS ?? 1000);
const CONTACTS = 100;

async function insertBaseline(store: Store): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < EVENTS; i += 1) {
    await store.db
      .insertInto('inbound_events')
      .values({
        id: newId(),
        channel: 'telegram',
        native_id: `baseline-${i}`,
        contact_id: 'c',
        conversation_id: 'c',
        message: '{"text":"hallo"}',
        status: 'processed',
        error: null,
        received_at: Date.now(),
        processed_at: null,
      })
      .execute();
  }
  return EVENTS / ((performance.now() - started) / 1000);
}

async function acceptRate(store: Store, parallel: number, tag: string): Promise<number> {
  const { runtime } = createRuntime(store);
  await runtime.stop();
  const messages = Array.from({ length: EVENTS }, (_, i) => inbound(`${tag}-${i % CONTACTS}`, `Hallo ${i}`));
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < messages.length) {
        const message = messages[next++]!;
        await runtime.accept(message);
      }
    }),
  );
  return EVENTS / ((performance.now() - started) / 1000);
}

async function run(dialect: StoreDialect) {
  const handle = await createTestDatabase(dialect);
  try {
    const store = await handle.open();
    const baseline = await insertBaseline(store);
    const sequential = await acceptRate(store, 1, 'seq');
    const parallel = await acceptRate(store, 8, 'par');
    return { dialect, baseline, sequential, parallel };
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
console.log(`inbox accept, ${EVENTS} events over ${CONTACTS} contacts (processing off)`);
console.table(
  results.map((r) => ({
    dialect: r.dialect,
    'baseline single-row inserts/s': Math.round(r.baseline),
    'accept/s sequential': Math.round(r.sequential),
    'accept/s 8 in parallel': Math.round(r.parallel),
    'ratio sequential/baseline': (r.sequential / r.baseline).toFixed(2),
    'ratio parallel/baseline': (r.parallel / r.baseline).toFixed(2),
  })),
);
