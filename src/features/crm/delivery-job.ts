/**
 * Delivers queued leads to CRM_WEBHOOK_URL. Rows are claimed with a lease (and SKIP LOCKED on PostgreSQL), so
 * several instances never post the same lead at once; results are written only by the lease holder.
 * 2xx = delivered; 4xx except 408/429 and refused addresses = failed for good; the rest retries with
 * exponential backoff until `maxAttempts`.
 */
import type { Logger } from '../../logger.js';
import type { StoreDialect } from '../../store/database.js';
import { AddressNotAllowedError, type LookupAll } from './address-guard.js';
import type { CrmDb } from './lead.js';
import type { CrmDeliveriesTable } from './tables.js';
import { postJson, signBody, type WebhookResponse } from './webhook-client.js';

export interface DeliverySettings {
  url: string;
  secret: string | undefined;
  allowPrivate: boolean;
  instanceId: string;
  timeoutMs: number;
  leaseMs: number;
  maxAttempts: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  batchSize: number;
  lookupAll?: LookupAll;
}

export const DEFAULT_DELIVERY_SETTINGS = {
  timeoutMs: 10_000,
  leaseMs: 60_000,
  maxAttempts: 10,
  backoffBaseMs: 30_000,
  backoffMaxMs: 6 * 60 * 60 * 1000,
  batchSize: 10,
};

export interface DeliveryRound {
  claimed: number;
  delivered: number;
  retrying: number;
  failed: number;
}

/** Takes due rows (and rows whose lease expired because their instance died) for this instance. */
export async function claimDueDeliveries(
  db: CrmDb,
  dialect: StoreDialect,
  settings: Pick<DeliverySettings, 'instanceId' | 'leaseMs' | 'batchSize'>,
  now: Date,
): Promise<CrmDeliveriesTable[]> {
  const at = now.getTime();
  let due = db
    .selectFrom('crm_deliveries')
    .select('id')
    .where((eb) =>
      eb.or([
        eb.and([eb('status', '=', 'queued'), eb('next_attempt_at', '<=', at)]),
        eb.and([eb('status', '=', 'delivering'), eb('locked_until', '<', at)]),
      ]),
    )
    .orderBy('next_attempt_at')
    .limit(settings.batchSize);
  if (dialect === 'postgres') due = due.forUpdate().skipLocked();
  return db
    .updateTable('crm_deliveries')
    .set((eb) => ({
      status: 'delivering',
      locked_by: settings.instanceId,
      locked_until: at + settings.leaseMs,
      attempts: eb('attempts', '+', 1),
    }))
    .where('id', 'in', due)
    .returningAll()
    .execute();
}

export function backoffDelay(attempts: number, baseMs: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** Math.max(0, attempts - 1));
}

type Verdict =
  | { kind: 'delivered'; status: number }
  | { kind: 'failed'; reason: string; status: number | null }
  | { kind: 'retry'; reason: string; status: number | null; notBeforeMs?: number };

function judgeResponse(response: WebhookResponse): Verdict {
  const { status } = response;
  const body = response.bodySnippet.replace(/\s+/g, ' ').trim();
  const reason = `HTTP ${status}${body ? `: ${body.slice(0, 200)}` : ''}`;
  if (status >= 200 && status < 300) return { kind: 'delivered', status };
  if (status >= 300 && status < 400) {
    return {
      kind: 'failed',
      status,
      reason: `HTTP ${status}: redirects are not followed (Location: ${response.location ?? '-'}); fix CRM_WEBHOOK_URL`,
    };
  }
  if (status === 408 || status === 429) {
    const wait = response.retryAfterSeconds !== null ? response.retryAfterSeconds * 1000 : undefined;
    return { kind: 'retry', status, reason, ...(wait !== undefined ? { notBeforeMs: wait } : {}) };
  }
  if (status >= 400 && status < 500) return { kind: 'failed', status, reason };
  return { kind: 'retry', status, reason };
}

async function attempt(row: CrmDeliveriesTable, settings: DeliverySettings): Promise<Verdict> {
  const headers: Record<string, string> = { 'x-plausch-delivery': row.id };
  if (settings.secret) headers['x-plausch-signature'] = signBody(settings.secret, row.payload);
  try {
    const response = await postJson(settings.url, row.payload, {
      allowPrivate: settings.allowPrivate,
      timeoutMs: settings.timeoutMs,
      headers,
      ...(settings.lookupAll ? { lookupAll: settings.lookupAll } : {}),
    });
    return judgeResponse(response);
  } catch (error) {
    if (error instanceof AddressNotAllowedError)
      return { kind: 'failed', status: null, reason: error.message };
    const message = error instanceof Error ? error.message : String(error);
    return { kind: 'retry', status: null, reason: message };
  }
}

/** One round: claim, post, record. Returns what happened, for logs and tests. */
export async function deliverDueLeads(
  db: CrmDb,
  dialect: StoreDialect,
  settings: DeliverySettings,
  logger: Logger,
  now: () => Date,
): Promise<DeliveryRound> {
  const round: DeliveryRound = { claimed: 0, delivered: 0, retrying: 0, failed: 0 };
  const rows = await claimDueDeliveries(db, dialect, settings, now());
  round.claimed = rows.length;
  for (const row of rows) {
    let verdict = await attempt(row, settings);
    const finishedAt = now().getTime();
    if (verdict.kind === 'retry' && row.attempts >= settings.maxAttempts) {
      verdict = {
        kind: 'failed',
        status: verdict.status,
        reason: `gave up after ${row.attempts} attempts; last: ${verdict.reason}`,
      };
    }
    const owned = db
      .updateTable('crm_deliveries')
      .where('id', '=', row.id)
      .where('locked_by', '=', settings.instanceId)
      .where('status', '=', 'delivering');
    if (verdict.kind === 'delivered') {
      await owned
        .set({
          status: 'delivered',
          delivered_at: finishedAt,
          last_status_code: verdict.status,
          last_error: null,
          locked_by: null,
          locked_until: null,
        })
        .execute();
      round.delivered += 1;
    } else if (verdict.kind === 'failed') {
      await owned
        .set({
          status: 'failed',
          failed_at: finishedAt,
          last_status_code: verdict.status,
          last_error: verdict.reason,
          locked_by: null,
          locked_until: null,
        })
        .execute();
      round.failed += 1;
      logger.warn(
        { deliveryId: row.id, status: verdict.status, reason: verdict.reason },
        'CRM lead delivery failed permanently',
      );
    } else {
      const delay = Math.max(
        verdict.notBeforeMs ?? 0,
        backoffDelay(row.attempts, settings.backoffBaseMs, settings.backoffMaxMs),
      );
      await owned
        .set({
          status: 'queued',
          next_attempt_at: finishedAt + delay,
          last_status_code: verdict.status,
          last_error: verdict.reason,
          locked_by: null,
          locked_until: null,
        })
        .execute();
      round.retrying += 1;
      logger.info(
        { deliveryId: row.id, attempts: row.attempts, retryInMs: delay, reason: verdict.reason },
        'CRM lead delivery will be retried',
      );
    }
  }
  return round;
}
