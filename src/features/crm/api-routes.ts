/** The lead routes under /api/v1: the paged list, the CSV export, and a manual retry of a failed delivery. */
import express, { type Router } from 'express';
import { z } from 'zod';
import { ApiError, paginationSchema, parseInput, route } from '../../http/api-support.js';
import { fromJson } from '../../store/json.js';
import { CSV_BOM, csvRow } from './csv.js';
import type { CrmDb, LeadPayload } from './lead.js';
import type { CrmDeliveriesTable } from './tables.js';

const STATUSES = ['queued', 'delivering', 'delivered', 'failed', 'not_sent'] as const;

const instant = z
  .string()
  .refine((v) => /^\d{4}-\d{2}-\d{2}(T.*)?$/.test(v) && !Number.isNaN(Date.parse(v)), {
    message: 'use a date like 2025-03-01 or an ISO timestamp',
  })
  .transform((v) => new Date(v).getTime());

export const leadFilterSchema = z.object({
  status: z.enum(STATUSES).optional(),
  campaign: z.string().min(1).max(100).optional(),
  from: instant.optional(),
  to: instant.optional(),
});

export const leadListQuerySchema = leadFilterSchema.extend(paginationSchema.shape);

type LeadFilter = z.infer<typeof leadFilterSchema>;

function filtered(db: CrmDb, filter: LeadFilter) {
  let query = db.selectFrom('crm_deliveries');
  if (filter.status) query = query.where('status', '=', filter.status);
  if (filter.campaign) query = query.where('campaign_id', '=', filter.campaign);
  if (filter.from !== undefined) query = query.where('created_at', '>=', filter.from);
  if (filter.to !== undefined) query = query.where('created_at', '<', filter.to);
  return query;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(Number(ms)).toISOString());

export function leadView(row: CrmDeliveriesTable) {
  return {
    id: row.id,
    status: row.status,
    attempts: row.attempts,
    last_error: row.last_error,
    last_status_code: row.last_status_code,
    created_at: iso(row.created_at),
    delivered_at: iso(row.delivered_at),
    failed_at: iso(row.failed_at),
    next_attempt_at: row.status === 'queued' ? iso(row.next_attempt_at) : null,
    lead: fromJson<LeadPayload | null>(row.payload, null),
  };
}

const CSV_FIXED = [
  'lead_id',
  'created_at',
  'status',
  'campaign',
  'channel',
  'contact_id',
  'display_name',
  'first_name',
  'last_name',
  'phone',
  'locale',
  'referral_campaign',
  'referrer_contact_id',
  'consent',
];

export function createCrmApiRouter(getDb: () => CrmDb, now: () => Date = () => new Date()): Router {
  const router = express.Router();

  router.get(
    '/leads',
    route(async (req, res) => {
      const query = parseInput(leadListQuerySchema, req.query, 'query');
      const db = getDb();
      const total = await filtered(db, query)
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirst();
      const rows = await filtered(db, query)
        .selectAll()
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(query.limit)
        .offset(query.offset)
        .execute();
      res.json({
        leads: rows.map(leadView),
        total: Number(total?.n ?? 0),
        limit: query.limit,
        offset: query.offset,
      });
    }),
  );

  router.get(
    '/leads.csv',
    route(async (req, res) => {
      const filter = parseInput(leadFilterSchema, req.query, 'query');
      const db = getDb();
      const rows = await filtered(db, filter)
        .selectAll()
        .orderBy('created_at')
        .orderBy('id')
        .limit(100_000)
        .execute();
      const leads = rows.map((row) => ({ row, lead: fromJson<LeadPayload | null>(row.payload, null) }));
      // Every variable any lead carries becomes a column, in first-seen order.
      const fieldNames: string[] = [];
      for (const { lead } of leads) {
        for (const name of Object.keys(lead?.fields ?? {}))
          if (!fieldNames.includes(name)) fieldNames.push(name);
      }
      res.status(200);
      res.type('text/csv; charset=utf-8');
      res.set('Content-Disposition', 'attachment; filename="leads.csv"');
      let out = CSV_BOM + csvRow([...CSV_FIXED, ...fieldNames]);
      for (const { row, lead } of leads) {
        const consent = lead?.consent
          ? Object.entries(lead.consent)
              .map(([topic, state]) => `${topic}:${state}`)
              .join(' ')
          : '';
        out += csvRow([
          row.id,
          iso(row.created_at),
          row.status,
          row.campaign_id,
          row.channel,
          row.contact_id,
          lead?.contact.display_name,
          lead?.contact.first_name,
          lead?.contact.last_name,
          lead?.contact.phone,
          lead?.contact.locale,
          lead?.source.referral?.campaign,
          lead?.source.referral?.referrer_contact_id,
          consent,
          ...fieldNames.map((name) => lead?.fields[name]),
        ]);
      }
      res.send(out);
    }),
  );

  router.post(
    '/leads/:id/retry',
    route(async (req, res) => {
      const id = String(req.params.id ?? '');
      const db = getDb();
      const row = await db.selectFrom('crm_deliveries').selectAll().where('id', '=', id).executeTakeFirst();
      if (!row) throw new ApiError(404, 'unknown lead');
      if (row.status !== 'failed')
        throw new ApiError(409, `only failed deliveries can be retried; this one is ${row.status}`);
      await db
        .updateTable('crm_deliveries')
        .set({
          status: 'queued',
          attempts: 0,
          next_attempt_at: now().getTime(),
          failed_at: null,
          last_error: null,
        })
        .where('id', '=', id)
        .where('status', '=', 'failed')
        .execute();
      const updated = await db
        .selectFrom('crm_deliveries')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      res.json(leadView(updated));
    }),
  );

  return router;
}
