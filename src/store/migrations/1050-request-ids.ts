/**
 * The request id of the webhook (or API call) that recorded an inbound event, and of the turn that queued an
 * outbox row: the same id is logged at the request, the turn and the send, so one customer message can be
 * followed through every log line it caused. Null for rows written before this migration or without a request.
 */
import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations run against a database whose type they are creating
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema.alterTable('inbound_events').addColumn('request_id', 'text').execute();
  await db.schema.alterTable('outbox').addColumn('request_id', 'text').execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.alterTable('outbox').dropColumn('request_id').execute();
  await db.schema.alterTable('inbound_events').dropColumn('request_id').execute();
}
