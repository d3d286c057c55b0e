/** Outbox test helpers: contacts to send to, a worker factory with a controllable clock, row readers. */
import { silentLogger } from '../../src/logger.js';
import type { ChannelName, Contact, OutboundMessage } from '../../src/model/index.js';
import { enqueueOutbound } from '../../src/outbox/enqueue.js';
import type { OutboxPurpose, SendGuard } from '../../src/outbox/types.js';
import { OutboxWorker } from '../../src/outbox/worker.js';
import { InProcessEventBus, type RuntimeEvent } from '../../src/runtime/events.js';
import type { Store } from '../../src/store/database.js';
import { upsertContactFromInbound } from '../../src/store/repositories/contacts.js';
import { getOrCreateConversation } from '../../src/store/repositories/conversations.js';
import { withRuntimeTables } from '../../src/store/repositories/tables.js';
import type { FakeAdapter } from '../support/fake-adapter.js';

export class TestClock {
  constructor(public ms = Date.UTC(2025, 4, 12, 9, 0, 0)) {}
  now = (): Date => new Date(this.ms);
  advance(ms: number): void {
    this.ms += ms;
  }
}

export async function createContact(
  store: Store,
  channelContactId: string,
  options: { channel?: ChannelName; lastInboundAt?: Date; now?: Date } = {},
): Promise<Contact> {
  const now = options.now ?? new Date();
  const contact = await upsertContactFromInbound(
    store.db,
    {
      channel: options.channel ?? 'telegram',
      nativeId: `seed-${channelContactId}`,
      contactNativeId: channelContactId,
      receivedAt: options.lastInboundAt ?? now,
      raw: null,
    },
    { supported: ['de', 'en'], fallback: 'de' },
    now,
  );
  await getOrCreateConversation(store.db, contact, now);
  return contact;
}

export async function enqueueTexts(
  store: Store,
  contact: Contact,
  texts: readonly string[],
  options: {
    purpose?: OutboxPurpose;
    sourceId?: string;
    now?: Date;
    message?: Partial<OutboundMessage>;
  } = {},
): Promise<string[]> {
  return enqueueOutbound(
    store.db,
    texts.map((text) => ({
      contactId: contact.id,
      conversationId: null,
      channel: contact.channel,
      message: { text, ...options.message },
      purpose: options.purpose ?? 'reply',
      ...(options.sourceId ? { sourceId: options.sourceId } : {}),
    })),
    options.now ?? new Date(),
  );
}

export async function outboxRow(store: Store, id: string) {
  return withRuntimeTables(store.db)
    .selectFrom('outbox')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
}

export async function statusCounts(store: Store): Promise<Record<string, number>> {
  const rows = await store.db.selectFrom('outbox').select('status').execute();
  const counts: Record<string, number> = {};
  for (const row of rows) counts[row.status] = (counts[row.status] ?? 0) + 1;
  return counts;
}

export function createWorker(
  store: Store,
  adapters: readonly FakeAdapter[],
  options: {
    clock?: TestClock;
    guards?: readonly SendGuard[];
    instanceId?: string;
    maxAttempts?: number;
    pollIntervalMs?: number;
    leaseMs?: number;
    bus?: InProcessEventBus;
  } = {},
): { worker: OutboxWorker; events: RuntimeEvent[] } {
  const bus = options.bus ?? new InProcessEventBus();
  const events: RuntimeEvent[] = [];
  bus.subscribe((event) => events.push(event));
  const worker = new OutboxWorker({
    store,
    logger: silentLogger,
    adapters: new Map(adapters.map((a) => [a.name, a])),
    guards: () => options.guards ?? [],
    events: bus,
    instanceId: options.instanceId ?? 'worker-1',
    pollIntervalMs: options.pollIntervalMs ?? 20,
    maxAttempts: options.maxAttempts ?? 8,
    leaseMs: options.leaseMs ?? 30_000,
    random: () => 0.5,
    ...(options.clock ? { now: options.clock.now } : {}),
  });
  return { worker, events };
}
