/**
 * Conversions reported by the shop: an order tied to a referral code, a visitor (the /r/ cookie id) or a
 * contact. Idempotent on order_id: the same report again answers the stored conversion, a different report
 * with the same order id is a conflict.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { ApiError } from '../../http/api-support.js';
import type { Store } from '../../store/database.js';
import { newId } from '../../store/ids.js';
import type { CoreTables } from '../../store/schema.js';
import { findCode, isUniqueViolation, normalizeCode } from './codes.js';
import type { ReferralConversionsTable, ReferralTables } from './tables.js';

export const conversionInputSchema = z
  .strictObject({
    code: z.string().trim().min(1).max(64).optional(),
    visitor_id: z
      .string()
      .trim()
      .regex(/^[a-z0-9]{16,40}$/, 'visitor_id looks like the id of the plausch_vid cookie')
      .optional(),
    contact_id: z.string().trim().min(1).max(64).optional(),
    order_id: z.string().trim().min(1, 'order_id must not be empty').max(200),
    value: z.number().nonnegative('value must not be negative').max(1e10).optional(),
    currency: z
      .string()
      .regex(/^[A-Za-z]{3}$/, 'currency is a three-letter ISO code like EUR')
      .transform((c) => c.toUpperCase())
      .optional(),
  })
  .refine((input) => input.code || input.visitor_id || input.contact_id, {
    message: 'give code, visitor_id or contact_id so the order can be attributed',
  })
  .refine((input) => input.value === undefined || input.currency !== undefined, {
    message: 'currency is required when value is given',
    path: ['currency'],
  });
export type ConversionInput = z.infer<typeof conversionInputSchema>;

export interface ConversionView {
  id: string;
  order_id: string;
  code: string | null;
  campaign_id: string | null;
  referrer_contact_id: string | null;
  visitor_id: string | null;
  contact_id: string | null;
  value: number | null;
  currency: string | null;
  attributed: boolean;
  created_at: string;
}

/** Checks `X-Plausch-Signature: sha256=<hex>` over the exact body bytes, in constant time. */
export function verifyBodySignature(secret: string, rawBody: Buffer, header: string | undefined): boolean {
  const match = /^sha256=([0-9a-f]{64})$/i.exec(header?.trim() ?? '');
  if (!match?.[1]) return false;
  const expected = createHmac('sha256', secret).update(rawBody).digest();
  const presented = Buffer.from(match[1], 'hex');
  return presented.length === expected.length && timingSafeEqual(presented, expected);
}

function toView(row: ReferralConversionsTable, code: string | null): ConversionView {
  return {
    id: row.id,
    order_id: row.order_id,
    code,
    campaign_id: row.campaign_id,
    referrer_contact_id: row.referrer_contact_id,
    visitor_id: row.visitor_id,
    contact_id: row.contact_id,
    value: row.value_minor === null ? null : Number(row.value_minor) / 100,
    currency: row.currency,
    attributed: row.code_id !== null,
    created_at: new Date(Number(row.created_at)).toISOString(),
  };
}

function requestHash(input: ConversionInput): string {
  const normalized = {
    code: input.code ? (normalizeCode(input.code) ?? input.code) : null,
    visitor_id: input.visitor_id ?? null,
    contact_id: input.contact_id ?? null,
    order_id: input.order_id,
    value_minor: input.value === undefined ? null : Math.round(input.value * 100),
    currency: input.currency ?? null,
  };
  return createHash('sha256').update(JSON.stringify(normalized)).digest('hex');
}

async function codeById(db: Kysely<CoreTables & ReferralTables>, id: string | null): Promise<string | null> {
  if (!id) return null;
  const row = await db.selectFrom('referral_codes').select('code').where('id', '=', id).executeTakeFirst();
  return row?.code ?? null;
}

/** Records the conversion; returns whether it was new. Throws ApiError 404/409 as documented. */
export async function recordConversion(
  store: Store,
  input: ConversionInput,
  source: 'api' | 'webhook',
  now: Date,
): Promise<{ created: boolean; conversion: ConversionView }> {
  const db = store.db.withTables<ReferralTables>() as Kysely<CoreTables & ReferralTables>;
  const hash = requestHash(input);
  const earlier = await db
    .selectFrom('referral_conversions')
    .selectAll()
    .where('order_id', '=', input.order_id)
    .executeTakeFirst();
  if (earlier) return answerDuplicate(db, earlier, hash);

  let codeId: string | null = null;
  let country: string | null = null;
  let region: string | null = null;
  let contactId: string | null = null;
  if (input.code) {
    const normalized = normalizeCode(input.code.replace(/^ref_/i, ''));
    const code = normalized ? await findCode(db, normalized) : undefined;
    if (!code) throw new ApiError(404, `unknown referral code "${input.code.slice(0, 64)}"`);
    codeId = code.id;
  }
  if (input.visitor_id) {
    const click = await db
      .selectFrom('referral_clicks')
      .select(['code_id', 'country', 'region'])
      .where('visitor_id', '=', input.visitor_id)
      .where('is_bot', '=', 0)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .executeTakeFirst();
    if (!click) throw new ApiError(404, 'unknown visitor_id: no click of this visitor was recorded');
    codeId ??= click.code_id;
    country = click.country;
    region = click.region;
  }
  if (input.contact_id) {
    const contact = await db
      .selectFrom('contacts')
      .select('id')
      .where('id', '=', input.contact_id)
      .executeTakeFirst();
    if (!contact) throw new ApiError(404, `unknown contact_id "${input.contact_id.slice(0, 64)}"`);
    contactId = contact.id;
    if (!codeId) {
      const attribution = await db
        .selectFrom('referral_attributions')
        .select('code_id')
        .where('referred_contact_id', '=', contact.id)
        .executeTakeFirst();
      codeId = attribution?.code_id ?? null;
    }
  }
  const code = codeId
    ? await db.selectFrom('referral_codes').selectAll().where('id', '=', codeId).executeTakeFirst()
    : undefined;
  const row: ReferralConversionsTable = {
    id: newId(now.getTime()),
    order_id: input.order_id,
    code_id: code?.id ?? null,
    campaign_id: code?.campaign_id ?? null,
    referrer_contact_id: code?.contact_id ?? null,
    referrer_channel: code?.channel ?? null,
    visitor_id: input.visitor_id ?? null,
    contact_id: contactId,
    country,
    region,
    value_minor: input.value === undefined ? null : Math.round(input.value * 100),
    currency: input.currency ?? null,
    request_hash: hash,
    source,
    created_at: now.getTime(),
  };
  try {
    await db.insertInto('referral_conversions').values(row).execute();
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    // Another request recorded the same order meanwhile: answer as a repeat of that one.
    const winner = await db
      .selectFrom('referral_conversions')
      .selectAll()
      .where('order_id', '=', input.order_id)
      .executeTakeFirstOrThrow();
    return answerDuplicate(db, winner, hash);
  }
  return { created: true, conversion: toView(row, code?.code ?? null) };
}

async function answerDuplicate(
  db: Kysely<CoreTables & ReferralTables>,
  row: ReferralConversionsTable,
  hash: string,
) {
  if (row.request_hash !== hash) {
    throw new ApiError(409, `order_id "${row.order_id}" was already reported with different details`);
  }
  return { created: false, conversion: toView(row, await codeById(db, row.code_id)) };
}
