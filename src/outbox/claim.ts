/**
 * Claims due outbox rows for this instance with a lease. One statement, so the claim is atomic:
 * PostgreSQL skips rows other instances are claiming (`FOR UPDATE SKIP LOCKED`); SQLite has one writer.
 *
 * A row is claimable when it is due (`queued`, `next_attempt_at <= now`) or its sender's lease expired
 * (`sending`, `locked_until < now`: a crashed instance), and its chat (channel + contact) has
 * - no other row in flight under a live lease (never two sends to one chat at once), and
 * - no older row that is due, being retried, or abandoned in flight (messages of a chat keep their order).
 */
import { sql } from 'kysely';
import type { Store } from '../store/database.js';
import { withRuntimeTables } from '../store/repositories/tables.js';
import type { OutboxRow } from './rows.js';

export interface ClaimOptions {
  instanceId: string;
  now: number;
  leaseMs: number;
  limit: number;
  /** Channels this instance does not send on right now (run by another instance); their rows are left alone. */
  skipChannels?: readonly string[];
}

export async function claimDueOutboxRows(store: Store, options: ClaimOptions): Promise<OutboxRow[]> {
  if (options.limit <= 0) return [];
  const db = withRuntimeTables(store.db);
  const { now } = options;
  let candidates = db
    .selectFrom('outbox as o')
    .select('o.id')
    .where((eb) =>
      eb.or([
        eb.and([eb('o.status', '=', 'queued'), eb('o.next_attempt_at', '<=', now)]),
        eb.and([eb('o.status', '=', 'sending'), eb('o.locked_until', '<', now)]),
      ]),
    )
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('outbox as b')
            .select(sql<number>`1`.as('one'))
            .whereRef('b.contact_id', '=', 'o.contact_id')
            .whereRef('b.channel', '=', 'o.channel')
            .whereRef('b.id', '<>', 'o.id')
            .where((inner) =>
              inner.or([
                inner.and([inner('b.status', '=', 'sending'), inner('b.locked_until', '>=', now)]),
                inner.and([
                  inner('b.id', '<', inner.ref('o.id')),
                  inner.or([
                    inner('b.status', '=', 'sending'),
                    inner.and([
                      inner('b.status', '=', 'queued'),
                      inner.or([
                        inner('b.next_attempt_at', '<=', now),
                        inner('b.last_error', 'is not', null),
                      ]),
                    ]),
                  ]),
                ]),
              ]),
            ),
        ),
      ),
    )
    .orderBy('o.next_attempt_at')
    .orderBy('o.id')
    .limit(options.limit);
  if (options.skipChannels && options.skipChannels.length > 0)
    candidates = candidates.where('o.channel', 'not in', [...options.skipChannels]);
  if (store.dialect === 'postgres') candidates = candidates.forUpdate().skipLocked();

  const rows = await db
    .updateTable('outbox')
    .set({ status: 'sending', locked_by: options.instanceId, locked_until: now + options.leaseMs })
    .where('id', 'in', candidates)
    .returningAll()
    .execute();
  return rows.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** Gives rows this instance holds back to the queue (shutdown): due now, no attempt counted. */
export async function releaseLeases(
  store: Store,
  instanceId: string,
  ids: readonly string[],
  now: number,
): Promise<void> {
  if (ids.length === 0) return;
  await withRuntimeTables(store.db)
    .updateTable('outbox')
    .set({ status: 'queued', locked_by: null, locked_until: null, next_attempt_at: now })
    .where('id', 'in', [...ids])
    .where('status', '=', 'sending')
    .where('locked_by', '=', instanceId)
    .execute();
}

/**
 * At start-up nothing of this instance is in flight, so rows still leased to its id come from its previous
 * life (killed mid-send, restarted with the same INSTANCE_ID): queue them now instead of waiting out the
 * lease. With the default INSTANCE_ID (host + pid) a restart has a new id and the lease expiry applies.
 */
export async function reclaimOwnStaleLeases(store: Store, instanceId: string, now: number): Promise<number> {
  const result = await withRuntimeTables(store.db)
    .updateTable('outbox')
    .set({ status: 'queued', locked_by: null, locked_until: null, next_attempt_at: now })
    .where('status', '=', 'sending')
    .where('locked_by', '=', instanceId)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
