/**
 * Reminders people ask for: one row per (event, person, offset). Asking twice is a no-op, forgetting
 * cancels what is queued, and a moved or cancelled event re-times or cancels the rows and tells everyone
 * who asked, through the outbox (purpose `reminder`: asking for reminders is the consent for them).
 */
import type { ChannelName, OutboundMessage, TemplateReference } from '../../model/index.js';
import { enqueueOutbound } from '../../outbox/enqueue.js';
import type { OutboxItem } from '../../outbox/types.js';
import { newId } from '../../store/ids.js';
import { reminderDueAt } from './definitions.js';
import { type EventRecord, rowFromRecord } from './records.js';
import { asCoreDb, type EventsDb } from './tables.js';
import { type ChangeKind, changeNoticeMessage, type EventLinks } from './texts.js';
import {
  type EventTemplateFor,
  TEMPLATE_RECIPIENT_COLUMNS,
  type TemplateRecipientRow,
} from './whatsapp-template.js';

/** Statuses of a person who (still) wants to hear about the event. */
const ASKED = ['pending', 'sent', 'skipped'] as const;

export const reminderSourceId = (eventId: string) => `event:${eventId}`;

export type RemindOutcome = 'scheduled' | 'already' | 'past' | 'not_found';

/**
 * Creates the person's reminder rows. Offsets already passed are kept as `skipped` rows: the person still
 * asked, so they hear about a move or cancellation.
 */
export async function requestReminders(
  db: EventsDb,
  event: EventRecord | null,
  contactId: string,
  now: number,
): Promise<{ outcome: RemindOutcome; scheduled: number }> {
  if (!event || event.deletedAt !== null || event.status === 'cancelled')
    return { outcome: 'not_found', scheduled: 0 };
  if (event.startsAt <= now) return { outcome: 'past', scheduled: 0 };
  return db.transaction().execute(async (trx) => {
    const existing = await trx
      .selectFrom('event_reminders')
      .select(['offset', 'status'])
      .where('event_id', '=', event.id)
      .where('contact_id', '=', contactId)
      .execute();
    if (existing.some((r) => (ASKED as readonly string[]).includes(r.status)))
      return { outcome: 'already', scheduled: 0 };
    let scheduled = 0;
    for (const offset of event.reminders) {
      const due = reminderDueAt(event.startsAt, event.timeZone, offset);
      const status = due > now ? 'pending' : 'skipped';
      if (status === 'pending') scheduled += 1;
      const reason = status === 'skipped' ? 'asked for after this reminder was due' : null;
      await trx
        .insertInto('event_reminders')
        .values({
          id: newId(now),
          event_id: event.id,
          contact_id: contactId,
          offset,
          due_at: due,
          status,
          reason,
          outbox_id: null,
          created_at: now,
          updated_at: now,
          sent_at: null,
        })
        // A forgotten row of an earlier "remind me" comes back to life.
        .onConflict((oc) =>
          oc
            .columns(['event_id', 'contact_id', 'offset'])
            .doUpdateSet({ due_at: due, status, reason, updated_at: now }),
        )
        .execute();
    }
    return { outcome: 'scheduled', scheduled };
  });
}

/** Withdraws the person's reminders for the event, including one already queued but not yet sent. */
export async function forgetReminders(
  db: EventsDb,
  eventId: string,
  contactId: string,
  now: number,
): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const result = await trx
      .updateTable('event_reminders')
      .set({ status: 'forgotten', reason: 'the person asked to forget', updated_at: now })
      .where('event_id', '=', eventId)
      .where('contact_id', '=', contactId)
      .where('status', 'in', [...ASKED])
      .executeTakeFirst();
    await trx
      .updateTable('outbox')
      .set({ status: 'cancelled', last_error: 'reminder withdrawn by the person' })
      .where('contact_id', '=', contactId)
      .where('source_id', '=', reminderSourceId(eventId))
      .where('status', 'in', ['queued', 'held'])
      .execute();
    return Number(result.numUpdatedRows) > 0;
  });
}

interface Recipient extends TemplateRecipientRow {
  contact_id: string;
  conversation_id: string | null;
}

/** The message with the WhatsApp template attached when there is one. */
export function withTemplate(message: OutboundMessage, template: TemplateReference | null): OutboundMessage {
  return template ? { ...message, template } : message;
}

async function peopleWhoAsked(
  db: EventsDb,
  eventId: string,
  statuses: readonly string[],
): Promise<Recipient[]> {
  return db
    .selectFrom('contacts as c')
    .leftJoin('conversations as v', 'v.contact_id', 'c.id')
    .select([
      'c.id as contact_id',
      'c.channel as channel',
      'c.locale as locale',
      'v.id as conversation_id',
      ...TEMPLATE_RECIPIENT_COLUMNS,
    ])
    .where('c.id', 'in', (eb) =>
      eb
        .selectFrom('event_reminders')
        .select('contact_id')
        .where('event_id', '=', eventId)
        .where('status', 'in', [...statuses]),
    )
    .orderBy('c.id')
    .execute();
}

/** Re-times every row of the event to its offsets (moved start, changed offset list, reinstated event). */
async function retimeReminders(
  db: EventsDb,
  before: EventRecord,
  after: EventRecord,
  now: number,
  revive: readonly string[],
): Promise<void> {
  const rows = await db
    .selectFrom('event_reminders')
    .selectAll()
    .where('event_id', '=', after.id)
    .where('status', 'in', [...ASKED, ...revive])
    .execute();
  const moved = before.startsAt !== after.startsAt;
  const people = new Set(rows.map((r) => r.contact_id));
  const byKey = new Map(rows.map((r) => [`${r.contact_id} ${r.offset}`, r]));
  for (const contactId of people) {
    for (const offset of after.reminders) {
      const due = reminderDueAt(after.startsAt, after.timeZone, offset);
      const row = byKey.get(`${contactId} ${offset}`);
      if (!row) {
        if (due > now) {
          await db
            .insertInto('event_reminders')
            .values({
              id: newId(now),
              event_id: after.id,
              contact_id: contactId,
              offset,
              due_at: due,
              status: 'pending',
              reason: null,
              outbox_id: null,
              created_at: now,
              updated_at: now,
              sent_at: null,
            })
            .onConflict((oc) => oc.columns(['event_id', 'contact_id', 'offset']).doNothing())
            .execute();
        }
        continue;
      }
      // A reminder sent for the old time is owed again for the new one.
      const rearm = row.status !== 'sent' || moved;
      if (!rearm) continue;
      const status = due > now ? 'pending' : row.status === 'sent' ? 'sent' : 'skipped';
      const reason = status === 'skipped' ? 'due before the change was made' : null;
      await db
        .updateTable('event_reminders')
        .set({ due_at: due, status, reason, updated_at: now })
        .where('id', '=', row.id)
        .execute();
    }
  }
  const offsets = new Set(after.reminders);
  const dropped = rows.filter((r) => !offsets.has(r.offset) && r.status === 'pending').map((r) => r.id);
  if (dropped.length > 0) {
    await db
      .updateTable('event_reminders')
      .set({ status: 'cancelled', reason: 'reminder offset removed from the event', updated_at: now })
      .where('id', 'in', dropped)
      .execute();
  }
}

async function cancelQueuedEventMessages(db: EventsDb, eventId: string, reason: string): Promise<number> {
  const result = await db
    .updateTable('outbox')
    .set({ status: 'cancelled', last_error: reason })
    .where('source_id', '=', reminderSourceId(eventId))
    .where('purpose', '=', 'reminder')
    .where('status', 'in', ['queued', 'held'])
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export interface EventChangeResult {
  notice: ChangeKind | null;
  notified: number;
}

/**
 * Stores `after` and, in the same transaction, re-times or cancels reminders and queues one notice per
 * person who asked (only for events that have not started).
 */
export async function applyEventChange(
  db: EventsDb,
  before: EventRecord,
  after: EventRecord,
  now: number,
  links: (eventId: string) => EventLinks,
  templateFor?: EventTemplateFor,
): Promise<EventChangeResult> {
  return db.transaction().execute(async (trx) => {
    await trx.updateTable('events').set(rowFromRecord(after)).where('id', '=', after.id).execute();
    let notice: ChangeKind | null = null;
    let recipients: Recipient[] = [];
    const upcoming = Math.max(before.startsAt, after.startsAt) > now;
    if (after.status === 'cancelled' && before.status !== 'cancelled') {
      recipients = await peopleWhoAsked(trx, after.id, ASKED);
      await trx
        .updateTable('event_reminders')
        .set({ status: 'cancelled', reason: 'event cancelled', updated_at: now })
        .where('event_id', '=', after.id)
        .where('status', '=', 'pending')
        .execute();
      await cancelQueuedEventMessages(trx, after.id, 'event cancelled');
      notice = before.startsAt > now ? 'cancelled' : null;
    } else if (after.status === 'scheduled') {
      const reinstated = before.status === 'cancelled';
      const moved = before.startsAt !== after.startsAt;
      const offsetsChanged = before.reminders.join() !== after.reminders.join();
      if (reinstated || moved || offsetsChanged) {
        if (moved || reinstated) await cancelQueuedEventMessages(trx, after.id, 'event moved');
        await retimeReminders(trx, before, after, now, reinstated ? ['cancelled'] : []);
      }
      if ((moved || reinstated) && after.startsAt > now && upcoming) {
        notice = reinstated ? 'reinstated' : 'moved';
        recipients = await peopleWhoAsked(trx, after.id, ASKED);
      }
    }
    if (notice === null || recipients.length === 0) return { notice, notified: 0 };
    const kind = notice;
    const items: OutboxItem[] = recipients.map((r) => ({
      contactId: r.contact_id,
      conversationId: r.conversation_id,
      channel: r.channel as ChannelName,
      message: withTemplate(
        changeNoticeMessage(kind, before, after, r.locale, links(after.id)),
        templateFor?.('event_change', r, after) ?? null,
      ),
      purpose: 'reminder',
      topic: null,
      sourceId: reminderSourceId(after.id),
    }));
    await enqueueOutbound(asCoreDb(trx), items, new Date(now));
    return { notice, notified: items.length };
  });
}

export interface ReminderCounts {
  people: number;
  byStatus: Record<string, number>;
  byOffset: Record<string, Record<string, number>>;
}

export async function reminderCounts(db: EventsDb, eventId: string): Promise<ReminderCounts> {
  const rows = await db
    .selectFrom('event_reminders')
    .select(['offset', 'status', (eb) => eb.fn.countAll<number>().as('n')])
    .where('event_id', '=', eventId)
    .groupBy(['offset', 'status'])
    .execute();
  const people = await db
    .selectFrom('event_reminders')
    .select((eb) => eb.fn.count<number>('contact_id').distinct().as('n'))
    .where('event_id', '=', eventId)
    .where('status', 'in', [...ASKED])
    .executeTakeFirstOrThrow();
  const counts: ReminderCounts = { people: Number(people.n), byStatus: {}, byOffset: {} };
  for (const row of rows) {
    const n = Number(row.n);
    counts.byStatus[row.status] = (counts.byStatus[row.status] ?? 0) + n;
    const offset = counts.byOffset[row.offset] ?? {};
    offset[row.status] = (offset[row.status] ?? 0) + n;
    counts.byOffset[row.offset] = offset;
  }
  return counts;
}
