/**
 * Turns due broadcasts into outbox rows, one chunk per transaction so 50,000 recipients never sit in one
 * huge transaction. Each chunk records its recipients (primary key (broadcast, contact): exactly once),
 * queues their messages and advances the cursor atomically; a crash loses at most the chunk in hand,
 * which the next run redoes. On PostgreSQL the broadcast row is locked (SKIP LOCKED) per chunk, so
 * several instances share the work without waiting on each other.
 */

import type { TemplateRegistry } from '../../channels/whatsapp-cloud/templates.js';
import type { ChannelName } from '../../model/index.js';
import { enqueueOutbound } from '../../outbox/enqueue.js';
import type { OutboxItem } from '../../outbox/types.js';
import type { StoreDialect } from '../../store/database.js';
import { fromJson } from '../../store/json.js';
import { type BroadcastContent, renderBroadcastMessage, type Segment } from './broadcast-schema.js';
import { candidateMatches, recipientTemplate, subscriberPage } from './broadcasts.js';
import { asCoreDb, type NewsletterDb } from './tables.js';

export interface FanOutOptions {
  dialect: StoreDialect;
  defaultLocale: string;
  chunkSize: number;
  /** WhatsApp templates a broadcast may name; read at fan-out time, so an edit applies to the next chunk. */
  templates: TemplateRegistry;
}

export type ChunkOutcome = 'more' | 'done' | 'busy';

/** Handles the next chunk of one broadcast. */
export async function fanOutNextChunk(
  db: NewsletterDb,
  broadcastId: string,
  now: Date,
  options: FanOutOptions,
): Promise<{ outcome: ChunkOutcome; queued: number }> {
  return db.transaction().execute(async (trx) => {
    let lock = trx.selectFrom('newsletter_broadcasts').selectAll().where('id', '=', broadcastId);
    if (options.dialect === 'postgres') lock = lock.forUpdate().skipLocked();
    const broadcast = await lock.executeTakeFirst();
    if (!broadcast) return { outcome: 'busy', queued: 0 };
    if (broadcast.status !== 'scheduled' && broadcast.status !== 'running')
      return { outcome: 'done', queued: 0 };
    const scheduledAt = broadcast.scheduled_at ?? now.getTime();
    if (scheduledAt > now.getTime()) return { outcome: 'done', queued: 0 };

    const segment = fromJson<Segment>(broadcast.segment, {});
    const content = fromJson<BroadcastContent>(broadcast.content, { text: '' });
    const page = await subscriberPage(
      trx,
      broadcast.topic,
      segment,
      broadcast.fanout_cursor,
      options.chunkSize,
    );
    const eligible = page.filter((row) => candidateMatches(segment, row));
    const at = now.getTime();
    const inserted = new Set<string>();
    for (let i = 0; i < eligible.length; i += 200) {
      const rows = await trx
        .insertInto('newsletter_broadcast_recipients')
        .values(
          eligible
            .slice(i, i + 200)
            .map((r) => ({ broadcast_id: broadcast.id, contact_id: r.contact_id, created_at: at })),
        )
        .onConflict((oc) => oc.columns(['broadcast_id', 'contact_id']).doNothing())
        .returning('contact_id')
        .execute();
      for (const row of rows) inserted.add(row.contact_id);
    }
    const items: OutboxItem[] = eligible
      .filter((row) => inserted.has(row.contact_id))
      .map((row) => ({
        contactId: row.contact_id,
        conversationId: row.conversation_id,
        channel: row.channel as ChannelName,
        message: renderBroadcastMessage(
          content,
          row.locale,
          options.defaultLocale,
          recipientTemplate(row, content, options.templates, options.defaultLocale),
        ),
        purpose: 'broadcast',
        topic: broadcast.topic,
        sourceId: broadcast.id,
        notBefore: new Date(scheduledAt),
      }));
    await enqueueOutbound(asCoreDb(trx), items, now);

    const finished = page.length < options.chunkSize;
    const last = page[page.length - 1];
    await trx
      .updateTable('newsletter_broadcasts')
      .set({
        status: finished ? 'sent' : 'running',
        started_at: broadcast.started_at ?? at,
        finished_at: finished ? at : null,
        fanout_cursor: last ? last.contact_id : broadcast.fanout_cursor,
        recipient_count: broadcast.recipient_count + items.length,
        updated_at: at,
      })
      .where('id', '=', broadcast.id)
      .execute();
    return { outcome: finished ? 'done' : 'more', queued: items.length };
  });
}

/** Fans out every due broadcast, at most `maxChunks` chunks in this run (the scheduler calls it again). */
export async function fanOutDueBroadcasts(
  db: NewsletterDb,
  now: Date,
  options: FanOutOptions & { maxChunks: number },
): Promise<{ chunks: number; queued: number }> {
  const due = await db
    .selectFrom('newsletter_broadcasts')
    .select('id')
    .where('status', 'in', ['scheduled', 'running'])
    .where('scheduled_at', '<=', now.getTime())
    .orderBy('scheduled_at')
    .execute();
  let chunks = 0;
  let queued = 0;
  for (const { id } of due) {
    while (chunks < options.maxChunks) {
      const result = await fanOutNextChunk(db, id, now, options);
      chunks += 1;
      queued += result.queued;
      if (result.outcome !== 'more') break;
    }
    if (chunks >= options.maxChunks) break;
  }
  return { chunks, queued };
}
