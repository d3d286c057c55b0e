/**
 * Sends due reminders: claims them, queues the message in the outbox and marks the row sent in ONE
 * transaction, so each (person, offset) goes out exactly once across restarts and several instances.
 * The transaction's row locks are the lease: on PostgreSQL `FOR UPDATE SKIP LOCKED` lets another instance
 * take other rows meanwhile; on SQLite the single writer serializes instances and the `status = 'pending'`
 * condition refuses a row another instance has just sent. A crash rolls everything back; the rows stay
 * pending and the next pass sends them. Reminders missed while down go out late if the event has not
 * started yet; otherwise they are skipped with a reason.
 */
import type { ChannelName } from '../../model/index.js';
import { enqueueOutbound } from '../../outbox/enqueue.js';
import type { StoreDialect } from '../../store/database.js';
import { type EventRecord, recordFromRow } from './records.js';
import { reminderSourceId, withTemplate } from './reminders.js';
import { asCoreDb, type EventsDb } from './tables.js';
import { type EventLinks, reminderMessage } from './texts.js';
import { type EventTemplateFor, TEMPLATE_RECIPIENT_COLUMNS } from './whatsapp-template.js';

export interface ReminderRunOptions {
  dialect: StoreDialect;
  batchSize: number;
  links: (eventId: string) => EventLinks;
  /** The WhatsApp template a reminder carries for closed windows (none when the newsletter feature is off). */
  templateFor?: EventTemplateFor;
}

export interface ReminderRunResult {
  sent: number;
  skipped: number;
  cancelled: number;
}

/** One batch of due reminders; returns what happened to them. Call again while `sent + skipped + cancelled` equals the batch size. */
export async function deliverDueReminders(
  db: EventsDb,
  now: Date,
  options: ReminderRunOptions,
): Promise<ReminderRunResult> {
  const at = now.getTime();
  return db.transaction().execute(async (trx) => {
    let claim = trx
      .selectFrom('event_reminders')
      .selectAll()
      .where('status', '=', 'pending')
      .where('due_at', '<=', at)
      .orderBy('due_at')
      .orderBy('id')
      .limit(options.batchSize);
    if (options.dialect === 'postgres') claim = claim.forUpdate().skipLocked();
    const due = await claim.execute();
    const result: ReminderRunResult = { sent: 0, skipped: 0, cancelled: 0 };
    const events = new Map<string, EventRecord | null>();

    const settle = async (
      id: string,
      status: 'sent' | 'skipped' | 'cancelled',
      reason: string | null,
      outboxId: string | null = null,
    ) => {
      const update = await trx
        .updateTable('event_reminders')
        .set({ status, reason, outbox_id: outboxId, sent_at: status === 'sent' ? at : null, updated_at: at })
        .where('id', '=', id)
        .where('status', '=', 'pending')
        .executeTakeFirst();
      return Number(update.numUpdatedRows) === 1;
    };

    for (const reminder of due) {
      if (!events.has(reminder.event_id)) {
        const row = await trx
          .selectFrom('events')
          .selectAll()
          .where('id', '=', reminder.event_id)
          .executeTakeFirst();
        events.set(reminder.event_id, row ? recordFromRow(row) : null);
      }
      const event = events.get(reminder.event_id) ?? null;
      if (!event || event.deletedAt !== null || event.status === 'cancelled') {
        if (await settle(reminder.id, 'cancelled', 'event cancelled or removed')) result.cancelled += 1;
        continue;
      }
      if (event.startsAt <= at) {
        if (
          await settle(
            reminder.id,
            'skipped',
            'the event had already started when the reminder could be sent',
          )
        ) {
          result.skipped += 1;
        }
        continue;
      }
      const contact = await trx
        .selectFrom('contacts as c')
        .leftJoin('conversations as v', 'v.contact_id', 'c.id')
        .select([
          'c.id as id',
          'c.channel as channel',
          'c.locale as locale',
          'v.id as conversation_id',
          ...TEMPLATE_RECIPIENT_COLUMNS,
        ])
        .where('c.id', '=', reminder.contact_id)
        .executeTakeFirst();
      if (!contact) {
        if (await settle(reminder.id, 'skipped', 'the contact no longer exists')) result.skipped += 1;
        continue;
      }
      // Mark first: if another instance got here first, nothing is queued twice.
      if (!(await settle(reminder.id, 'sent', null))) continue;
      const [outboxId] = await enqueueOutbound(
        asCoreDb(trx),
        [
          {
            contactId: contact.id,
            conversationId: contact.conversation_id,
            channel: contact.channel as ChannelName,
            message: withTemplate(
              reminderMessage(event, contact.locale, at, options.links(event.id)),
              options.templateFor?.('event_reminder', contact, event) ?? null,
            ),
            purpose: 'reminder',
            topic: null,
            sourceId: reminderSourceId(event.id),
          },
        ],
        now,
      );
      await trx
        .updateTable('event_reminders')
        .set({ outbox_id: outboxId ?? null })
        .where('id', '=', reminder.id)
        .execute();
      result.sent += 1;
    }
    return result;
  });
}
