/**
 * Bot replies per web chat session, stored so a reconnecting widget gets what it missed (Last-Event-ID).
 * Each session numbers its events 1, 2, 3…; concurrent appends to one session are serialized (SQLite by its
 * single writer, PostgreSQL by an advisory lock), with a retry on the unique key as a safety net.
 */
import { type Kysely, sql } from 'kysely';
import type { Store } from '../../store/database.js';
import { newId } from '../../store/ids.js';
import { fromJson, toJson } from '../../store/json.js';
import type { CoreTables } from '../../store/schema.js';
import type { WebchatEventPayload } from './protocol.js';
import type { WebchatTables } from './tables.js';

export interface StoredWebchatEvent {
  id: string;
  seq: number;
  payload: WebchatEventPayload;
}

/** Events kept per session for replay; older ones are pruned as new ones arrive. */
const KEEP_PER_SESSION = 200;

export class WebchatEventStore {
  private readonly db: Kysely<CoreTables & WebchatTables>;
  private readonly dialect: Store['dialect'];

  constructor(store: Store) {
    this.db = store.db.withTables<WebchatTables>();
    this.dialect = store.dialect;
  }

  /** Appends the events in order, in one transaction; returns them with their sequence numbers. */
  async append(
    sessionId: string,
    payloads: readonly WebchatEventPayload[],
    now = Date.now(),
  ): Promise<StoredWebchatEvent[]> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.db.transaction().execute(async (trx) => {
          if (this.dialect === 'postgres') {
            // Appends to one session queue up here instead of colliding on the sequence number.
            await sql`SELECT pg_advisory_xact_lock(hashtext(${`webchat:${sessionId}`}))`.execute(trx);
          }
          const row = await trx
            .selectFrom('webchat_events')
            .select((eb) => eb.fn.max('seq').as('max_seq'))
            .where('session_id', '=', sessionId)
            .executeTakeFirst();
          const start = Number(row?.max_seq ?? 0);
          const stored = payloads.map((payload, i) => ({ id: newId(now), seq: start + i + 1, payload }));
          await trx
            .insertInto('webchat_events')
            .values(
              stored.map((e) => ({
                id: e.id,
                session_id: sessionId,
                seq: e.seq,
                payload: toJson(e.payload),
                created_at: now,
              })),
            )
            .execute();
          const last = stored.at(-1)?.seq ?? start;
          if (last > KEEP_PER_SESSION) {
            await trx
              .deleteFrom('webchat_events')
              .where('session_id', '=', sessionId)
              .where('seq', '<=', last - KEEP_PER_SESSION)
              .execute();
          }
          return stored;
        });
      } catch (error) {
        // Another writer took the same sequence number; read the new maximum and try again.
        if (attempt < 5 && isUniqueViolation(error)) continue;
        throw error;
      }
    }
  }

  /** Events of the session after `afterSeq`, oldest first. */
  async since(sessionId: string, afterSeq: number, limit = 100): Promise<StoredWebchatEvent[]> {
    const rows = await this.db
      .selectFrom('webchat_events')
      .select(['id', 'seq', 'payload'])
      .where('session_id', '=', sessionId)
      .where('seq', '>', afterSeq)
      .orderBy('seq', 'asc')
      .limit(limit)
      .execute();
    return rows.map((r) => ({
      id: r.id,
      seq: Number(r.seq),
      payload: fromJson<WebchatEventPayload>(r.payload, { type: 'message', at: 0 }),
    }));
  }

  /** Deletes events older than `olderThan` (epoch ms); returns how many. */
  async prune(olderThan: number): Promise<number> {
    const result = await this.db
      .deleteFrom('webchat_events')
      .where('created_at', '<', olderThan)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}

function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown };
  return (
    e.code === '23505' ||
    e.code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    (typeof e.message === 'string' && /UNIQUE constraint/i.test(e.message))
  );
}
