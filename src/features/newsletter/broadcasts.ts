/**
 * Broadcasts: drafts, preview (who would get it), scheduling, cancelling and statistics. The fan-out into
 * the outbox is in `broadcast-fanout.ts`; consent is checked again at send time by the consent guard.
 */
import { sql } from 'kysely';
import { z } from 'zod';
import {
  fillTemplate,
  type TemplateRegistry,
  templateText,
} from '../../channels/whatsapp-cloud/templates.js';
import { ApiError } from '../../http/api-support.js';
import type { JsonValue, TemplateReference } from '../../model/index.js';
import { newId } from '../../store/ids.js';
import { fromJson, toJson } from '../../store/json.js';
import {
  type BroadcastContent,
  broadcastContentSchema,
  matchesSegment,
  type Segment,
  segmentSchema,
} from './broadcast-schema.js';
import type { BroadcastStatus, BroadcastsTable, NewsletterDb } from './tables.js';
import type { TopicCatalog } from './topics.js';

/** Unsubscribes within this time after a recipient got a broadcast are counted against it. */
export const UNSUBSCRIBE_ATTRIBUTION_MS = 7 * 24 * 60 * 60 * 1000;

export const broadcastDraftSchema = z.strictObject({
  name: z.string().trim().min(1).max(200).optional(),
  topic: z.string().min(1, 'topic is required'),
  content: broadcastContentSchema,
  segment: segmentSchema,
});
export type BroadcastDraftInput = z.input<typeof broadcastDraftSchema>;

export const broadcastPatchSchema = z
  .strictObject({
    name: z.string().trim().min(1).max(200).optional(),
    topic: z.string().min(1).optional(),
    content: broadcastContentSchema.optional(),
    segment: segmentSchema.optional(),
  })
  .refine((p) => Object.keys(p).length > 0, 'give at least one of name, topic, content, segment');

export interface BroadcastView {
  id: string;
  name: string;
  topic: string;
  status: BroadcastStatus;
  source: string;
  content: BroadcastContent;
  segment: Segment;
  scheduledAt: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  cancelledAt: string | null;
  recipients: number;
  createdAt: string;
  updatedAt: string;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function broadcastView(row: BroadcastsTable): BroadcastView {
  return {
    id: row.id,
    name: row.name,
    topic: row.topic,
    status: row.status as BroadcastStatus,
    source: row.source,
    content: fromJson<BroadcastContent>(row.content, { text: '' }),
    segment: fromJson<Segment>(row.segment, {}),
    scheduledAt: iso(row.scheduled_at),
    startedAt: iso(row.started_at),
    finishedAt: iso(row.finished_at),
    cancelledAt: iso(row.cancelled_at),
    recipients: row.recipient_count,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}

function requireKnownTopic(catalog: TopicCatalog, topic: string): void {
  if (!catalog.has(topic)) {
    throw new ApiError(400, `unknown topic "${topic}"`, [
      {
        path: 'topic',
        message: `known topics: ${catalog
          .list()
          .map((t) => t.id)
          .join(', ')}`,
      },
    ]);
  }
}

/** A broadcast may only name a template the registry knows (a typo would hold every closed-window message). */
export function requireKnownTemplate(
  templates: TemplateRegistry,
  content: BroadcastContent | undefined,
): void {
  const name = content?.whatsappTemplate;
  if (name === undefined || templates.has(name)) return;
  const known = templates.names();
  throw new ApiError(400, `unknown WhatsApp template "${name}"`, [
    {
      path: 'content.whatsappTemplate',
      message: known.length
        ? `templates in ${templates.path ?? 'flows/whatsapp/templates.yaml'}: ${known.join(', ')}`
        : 'no templates are defined; add them to flows/whatsapp/templates.yaml',
    },
  ]);
}

export async function createBroadcast(
  db: NewsletterDb,
  catalog: TopicCatalog,
  input: z.output<typeof broadcastDraftSchema>,
  now: Date,
  source = 'api',
  templates?: TemplateRegistry,
): Promise<BroadcastView> {
  requireKnownTopic(catalog, input.topic);
  if (templates) requireKnownTemplate(templates, input.content);
  const at = now.getTime();
  const row: BroadcastsTable = {
    id: newId(at),
    name:
      input.name ?? `${catalog.name(input.topic, catalog.defaultLocale)} ${now.toISOString().slice(0, 10)}`,
    topic: input.topic,
    status: 'draft',
    content: toJson(input.content),
    segment: toJson(input.segment),
    source,
    scheduled_at: null,
    started_at: null,
    finished_at: null,
    cancelled_at: null,
    fanout_cursor: null,
    recipient_count: 0,
    created_at: at,
    updated_at: at,
  };
  await db.insertInto('newsletter_broadcasts').values(row).execute();
  return broadcastView(row);
}

export async function loadBroadcast(db: NewsletterDb, id: string): Promise<BroadcastsTable> {
  const row = await db
    .selectFrom('newsletter_broadcasts')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row) throw new ApiError(404, `broadcast ${id} not found`);
  return row;
}

export async function listBroadcasts(
  db: NewsletterDb,
  options: { limit: number; offset: number; status?: string },
): Promise<{ total: number; items: BroadcastView[] }> {
  let query = db.selectFrom('newsletter_broadcasts');
  if (options.status) query = query.where('status', '=', options.status);
  const total = await query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  const rows = await query
    .selectAll()
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(options.limit)
    .offset(options.offset)
    .execute();
  return { total: Number(total.n), items: rows.map(broadcastView) };
}

/** Changes a draft; a broadcast that is scheduled or under way cannot change under its recipients. */
export async function updateDraft(
  db: NewsletterDb,
  catalog: TopicCatalog,
  id: string,
  patch: z.output<typeof broadcastPatchSchema>,
  now: Date,
  templates?: TemplateRegistry,
): Promise<BroadcastView> {
  if (patch.topic !== undefined) requireKnownTopic(catalog, patch.topic);
  if (templates) requireKnownTemplate(templates, patch.content);
  const result = await db
    .updateTable('newsletter_broadcasts')
    .set({
      ...(patch.name !== undefined ? { name: patch.name } : {}),
      ...(patch.topic !== undefined ? { topic: patch.topic } : {}),
      ...(patch.content !== undefined ? { content: toJson(patch.content) } : {}),
      ...(patch.segment !== undefined ? { segment: toJson(patch.segment) } : {}),
      updated_at: now.getTime(),
    })
    .where('id', '=', id)
    .where('status', '=', 'draft')
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) === 0) {
    const row = await loadBroadcast(db, id);
    throw new ApiError(409, `broadcast ${id} is ${row.status}; only drafts can be changed`);
  }
  return broadcastView(await loadBroadcast(db, id));
}

export async function deleteDraft(db: NewsletterDb, id: string): Promise<void> {
  const result = await db
    .deleteFrom('newsletter_broadcasts')
    .where('id', '=', id)
    .where('status', '=', 'draft')
    .executeTakeFirst();
  if (Number(result.numDeletedRows) === 0) {
    const row = await loadBroadcast(db, id);
    throw new ApiError(
      409,
      `broadcast ${id} is ${row.status}; only drafts can be deleted (cancel it instead)`,
    );
  }
}

export interface RecipientCandidateRow {
  contact_id: string;
  channel: string;
  locale: string;
  tags: string;
  attributes: string;
  first_name: string | null;
  last_name: string | null;
  display_name: string | null;
  username: string | null;
  last_inbound_at: number | null;
  conversation_id: string | null;
  window_expires_at: number | null;
}

/** One page of active subscribers of a topic after `cursor`, in contact id order, with what segments need. */
export async function subscriberPage(
  db: NewsletterDb,
  topic: string,
  segment: Segment,
  cursor: string | null,
  limit: number,
): Promise<RecipientCandidateRow[]> {
  let query = db
    .selectFrom('newsletter_subscriptions as s')
    .innerJoin('contacts as c', 'c.id', 's.contact_id')
    .leftJoin('conversations as v', 'v.contact_id', 's.contact_id')
    .select([
      's.contact_id as contact_id',
      'c.channel as channel',
      'c.locale as locale',
      'c.tags as tags',
      'c.attributes as attributes',
      'c.first_name as first_name',
      'c.last_name as last_name',
      'c.display_name as display_name',
      'c.username as username',
      'c.last_inbound_at as last_inbound_at',
      'v.id as conversation_id',
      'v.window_expires_at as window_expires_at',
    ])
    .where('s.topic', '=', topic)
    .where('s.status', '=', 'active');
  if (cursor !== null) query = query.where('s.contact_id', '>', cursor);
  if (segment.channels) query = query.where('c.channel', 'in', segment.channels);
  if (segment.locales) query = query.where('c.locale', 'in', segment.locales);
  return query.orderBy('s.contact_id').limit(limit).execute();
}

export function candidateMatches(segment: Segment, row: RecipientCandidateRow): boolean {
  return matchesSegment(segment, {
    channel: row.channel,
    locale: row.locale,
    tags: fromJson<string[]>(row.tags, []),
    attributes: fromJson<Record<string, JsonValue>>(row.attributes, {}),
  });
}

/** Channels whose platform lets a business write only within hours after the customer's last message. */
export const WINDOW_HOURS: Readonly<Record<string, number>> = {
  'whatsapp-cloud': 24,
  'messenger-meta': 24,
  'messenger-botframework': 24,
};

/** How a recipient would get the broadcast right now: the text, the WhatsApp template, or not until they write. */
export type DeliveryWay = 'text' | 'template' | 'held';

export function windowOpen(row: RecipientCandidateRow, now: Date): boolean {
  const hours = WINDOW_HOURS[row.channel];
  if (hours === undefined) return true;
  // The same rule as the outbox's window guard: the conversation's window, else 24 h after the last message.
  const end =
    row.window_expires_at ?? (row.last_inbound_at === null ? null : row.last_inbound_at + hours * 3_600_000);
  return end !== null && now.getTime() < end;
}

/** The WhatsApp template this recipient's message carries (WhatsApp Cloud only, when the broadcast names one). */
export function recipientTemplate(
  row: RecipientCandidateRow,
  content: BroadcastContent,
  templates: TemplateRegistry,
  defaultLocale: string,
): TemplateReference | null {
  if (row.channel !== 'whatsapp-cloud' || !content.whatsappTemplate) return null;
  const variant = templates.variantFor(content.whatsappTemplate, row.locale, defaultLocale);
  if (!variant) return null;
  return fillTemplate(variant, {
    firstName: row.first_name,
    lastName: row.last_name,
    displayName: row.display_name,
    username: row.username,
    attributes: fromJson<Record<string, JsonValue>>(row.attributes, {}),
  });
}

export interface DeliveryCounts {
  text: number;
  template: number;
  held: number;
}

export interface RecipientPreview {
  recipients: number;
  byChannel: Record<string, number>;
  byLocale: Record<string, number>;
  /** Per channel: how many get the text, the template (WhatsApp Cloud, window closed) or wait (window closed). */
  delivery: Record<string, DeliveryCounts>;
  /** The first WhatsApp recipients who get the template, with the text they would read. */
  templateRecipients: Array<{ contactId: string; name: string | null; language: string; text: string }>;
}

export interface PreviewOptions {
  now: Date;
  content?: BroadcastContent;
  templates?: TemplateRegistry;
  defaultLocale?: string;
}

const TEMPLATE_SAMPLE = 20;

/** Who would get a broadcast of `topic` to `segment` right now, and how, without sending anything. */
export async function previewRecipients(
  db: NewsletterDb,
  topic: string,
  segment: Segment,
  options: PreviewOptions = { now: new Date() },
): Promise<RecipientPreview> {
  const preview: RecipientPreview = {
    recipients: 0,
    byChannel: {},
    byLocale: {},
    delivery: {},
    templateRecipients: [],
  };
  let cursor: string | null = null;
  for (;;) {
    const page = await subscriberPage(db, topic, segment, cursor, 1000);
    for (const row of page) {
      if (!candidateMatches(segment, row)) continue;
      preview.recipients += 1;
      preview.byChannel[row.channel] = (preview.byChannel[row.channel] ?? 0) + 1;
      preview.byLocale[row.locale] = (preview.byLocale[row.locale] ?? 0) + 1;
      const counts = preview.delivery[row.channel] ?? { text: 0, template: 0, held: 0 };
      preview.delivery[row.channel] = counts;
      const template =
        options.content && options.templates
          ? recipientTemplate(row, options.content, options.templates, options.defaultLocale ?? 'de')
          : null;
      if (windowOpen(row, options.now)) counts.text += 1;
      else if (template) {
        counts.template += 1;
        if (preview.templateRecipients.length < TEMPLATE_SAMPLE && options.templates && options.content) {
          const variant = options.templates.variantFor(
            options.content.whatsappTemplate ?? '',
            row.locale,
            options.defaultLocale ?? 'de',
          );
          preview.templateRecipients.push({
            contactId: row.contact_id,
            name:
              row.display_name ?? ([row.first_name, row.last_name].filter(Boolean).join(' ') || row.username),
            language: template.language,
            text: variant ? templateText(variant, template) : '',
          });
        }
      } else counts.held += 1;
    }
    if (page.length < 1000) return preview;
    cursor = page[page.length - 1]!.contact_id;
  }
}

/** Schedules a draft (or moves a scheduled one) to `at`; the fan-out starts then. */
export async function scheduleBroadcast(
  db: NewsletterDb,
  id: string,
  at: Date,
  now: Date,
): Promise<BroadcastView> {
  // A minute of slack so "now" from a client with a slightly different clock is not refused.
  if (at.getTime() < now.getTime() - 60_000) {
    throw new ApiError(400, 'invalid body', [{ path: 'at', message: 'at is in the past' }]);
  }
  const result = await db
    .updateTable('newsletter_broadcasts')
    .set({ status: 'scheduled', scheduled_at: at.getTime(), updated_at: now.getTime() })
    .where('id', '=', id)
    .where('status', 'in', ['draft', 'scheduled'])
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) === 0) {
    const row = await loadBroadcast(db, id);
    throw new ApiError(
      409,
      `broadcast ${id} is ${row.status}; only drafts and scheduled broadcasts can be scheduled`,
    );
  }
  return broadcastView(await loadBroadcast(db, id));
}

/**
 * Cancels a broadcast that is scheduled or running — or already fanned out but with messages not yet sent
 * (queued behind the pacing, or held because a window is closed): the fan-out stops at its next chunk (it
 * re-reads the status under lock) and every queued or held row is cancelled in the same transaction. What was
 * sent stays sent and counted.
 */
export async function cancelBroadcast(
  db: NewsletterDb,
  id: string,
  now: Date,
): Promise<{ broadcast: BroadcastView; cancelledRows: number }> {
  const cancelledRows = await db.transaction().execute(async (trx) => {
    const unsent = () =>
      trx
        .selectFrom('outbox')
        .select('id')
        .where('source_id', '=', id)
        .where('purpose', '=', 'broadcast')
        .where('status', 'in', ['queued', 'held']);
    const result = await trx
      .updateTable('newsletter_broadcasts')
      .set({ status: 'cancelled', cancelled_at: now.getTime(), updated_at: now.getTime() })
      .where('id', '=', id)
      .where((eb) =>
        eb.or([
          eb('status', 'in', ['draft', 'scheduled', 'running']),
          eb.and([eb('status', '=', 'sent'), eb.exists(unsent())]),
        ]),
      )
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) {
      const row = await loadBroadcast(trx, id);
      throw new ApiError(
        409,
        row.status === 'sent'
          ? `broadcast ${id} is sent and every message has gone out; there is nothing left to cancel`
          : `broadcast ${id} is ${row.status}; it can no longer be cancelled`,
      );
    }
    const rows = await trx
      .updateTable('outbox')
      .set({ status: 'cancelled', last_error: `broadcast ${id} was cancelled` })
      .where('source_id', '=', id)
      .where('purpose', '=', 'broadcast')
      .where('status', 'in', ['queued', 'held'])
      .executeTakeFirst();
    return Number(rows.numUpdatedRows);
  });
  return { broadcast: broadcastView(await loadBroadcast(db, id)), cancelledRows };
}

export interface BroadcastStatistics {
  recipients: number;
  queued: number;
  held: number;
  sent: number;
  delivered: number;
  read: number;
  failed: number;
  cancelled: number;
  /** Recipients who withdrew consent for the topic within 7 days after they got it. */
  unsubscribedAfter: number;
  clicks: { total: number; people: number; byPayload: Record<string, number> };
}

export async function broadcastStatistics(
  db: NewsletterDb,
  row: BroadcastsTable,
): Promise<BroadcastStatistics> {
  const counts = await db
    .selectFrom('outbox')
    .select((eb) => [
      eb.fn.countAll<number>().as('total'),
      eb.fn
        .sum<number>(eb.case().when('status', 'in', ['queued', 'sending']).then(1).else(0).end())
        .as('queued'),
      eb.fn.sum<number>(eb.case().when('status', '=', 'held').then(1).else(0).end()).as('held'),
      eb.fn.count<number>('sent_at').as('sent'),
      eb.fn.count<number>('delivered_at').as('delivered'),
      eb.fn.count<number>('read_at').as('read'),
      eb.fn.sum<number>(eb.case().when('status', '=', 'failed').then(1).else(0).end()).as('failed'),
      eb.fn.sum<number>(eb.case().when('status', '=', 'cancelled').then(1).else(0).end()).as('cancelled'),
    ])
    .where('source_id', '=', row.id)
    .where('purpose', '=', 'broadcast')
    .executeTakeFirstOrThrow();
  const unsubscribed = await db
    .selectFrom('newsletter_consent_ledger as l')
    .innerJoin('newsletter_broadcast_recipients as r', (join) =>
      join.onRef('r.contact_id', '=', 'l.contact_id').on('r.broadcast_id', '=', row.id),
    )
    .select(sql<number>`count(distinct l.contact_id)`.as('n'))
    .where('l.action', '=', 'unsubscribed')
    .where('l.topic', '=', row.topic)
    .whereRef('l.created_at', '>=', 'r.created_at')
    .where(sql<boolean>`l.created_at <= r.created_at + ${UNSUBSCRIBE_ATTRIBUTION_MS}`)
    .executeTakeFirstOrThrow();
  const clicks = await db
    .selectFrom('newsletter_broadcast_clicks')
    .select(['payload', (eb) => eb.fn.countAll<number>().as('n')])
    .where('broadcast_id', '=', row.id)
    .groupBy('payload')
    .execute();
  const people = await db
    .selectFrom('newsletter_broadcast_clicks')
    .select(sql<number>`count(distinct contact_id)`.as('n'))
    .where('broadcast_id', '=', row.id)
    .executeTakeFirstOrThrow();
  const byPayload = Object.fromEntries(clicks.map((c) => [c.payload, Number(c.n)]));
  return {
    recipients: row.recipient_count,
    queued: Number(counts.queued ?? 0),
    held: Number(counts.held ?? 0),
    sent: Number(counts.sent ?? 0),
    delivered: Number(counts.delivered ?? 0),
    read: Number(counts.read ?? 0),
    failed: Number(counts.failed ?? 0),
    cancelled: Number(counts.cancelled ?? 0),
    unsubscribedAfter: Number(unsubscribed.n ?? 0),
    clicks: {
      total: Object.values(byPayload).reduce((a, b) => a + b, 0),
      people: Number(people.n ?? 0),
      byPayload,
    },
  };
}
