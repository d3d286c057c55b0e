/**
 * The CRM hand-over: the `crm.lead` action queues leads durably; a background job posts them, signed, to
 * CRM_WEBHOOK_URL; the API lists and exports them. The server wires it.
 */
import { hostname } from 'node:os';
import { z } from 'zod';
import type { ActionDefinition } from '../../engine/actions.js';
import type { OpenApiFragment } from '../../http/api-support.js';
import type { ReferralTables } from '../referrals/tables.js';
import type { Feature, FeatureContext } from '../types.js';
import type { LookupAll } from './address-guard.js';
import { createCrmApiRouter, leadListQuerySchema } from './api-routes.js';
import {
  DEFAULT_DELIVERY_SETTINGS,
  type DeliveryRound,
  type DeliverySettings,
  deliverDueLeads,
} from './delivery-job.js';
import { type ConsentLookup, type CrmDb, queueLead } from './lead.js';
import type { CrmTables } from './tables.js';

export interface CrmOptions {
  /** Consent state per newsletter topic; leads carry `consent: null` without it. */
  consentLookup?: ConsentLookup;
  /** How often the delivery job looks for due leads (default 5 s). */
  pollIntervalMs?: number;
  /** Overrides of timeouts, backoff and batch size (tests). */
  delivery?: Partial<Omit<DeliverySettings, 'url' | 'secret' | 'allowPrivate'>>;
  lookupAll?: LookupAll;
}

export interface CrmFeature extends Feature {
  /** Runs one delivery round now (tests, `plausch crm deliver`). */
  deliverNow(): Promise<DeliveryRound>;
}

const identifier = z.string().regex(/^[a-z][a-z0-9_-]*$/, 'variable names look like email or monthly_kg');

export function createCrmActions(
  getDb: () => CrmDb,
  isEnabled: () => boolean,
  consentLookup: ConsentLookup | undefined,
  ctx: FeatureContext,
): ActionDefinition[] {
  const lead: ActionDefinition<{ fields: string[]; campaign?: string | undefined }> = {
    name: 'crm.lead',
    summary: 'Hands a lead (contact, chosen variables, consent, referral source) to the CRM webhook',
    args: z.strictObject({
      fields: z.array(identifier).max(50).default([]),
      campaign: z.string().min(1).max(100).optional(),
    }),
    outcomes: ['queued', 'disabled'],
    async run(args, context) {
      const enabled = isEnabled();
      await queueLead(
        getDb(),
        {
          contact: context.contact,
          vars: context.vars,
          fields: args.fields,
          campaign: args.campaign ?? null,
          flowId: context.flowId,
          stepId: context.stepId,
          now: context.now,
          deliver: enabled,
        },
        consentLookup,
        ctx.logger,
      );
      return { outcome: enabled ? 'queued' : 'disabled' };
    },
  };
  return [lead as ActionDefinition];
}

export async function createCrmFeature(ctx: FeatureContext, options: CrmOptions = {}): Promise<CrmFeature> {
  const getDb = () => ctx.store.db.withTables<CrmTables & ReferralTables>();
  const url = ctx.config.CRM_WEBHOOK_URL;
  const settings = (): DeliverySettings | null =>
    url
      ? {
          ...DEFAULT_DELIVERY_SETTINGS,
          instanceId: ctx.config.INSTANCE_ID ?? `${hostname()}-${process.pid}`,
          ...options.delivery,
          url,
          secret: ctx.config.CRM_WEBHOOK_SECRET,
          allowPrivate: ctx.config.CRM_ALLOW_PRIVATE_ADDRESSES,
          ...(options.lookupAll ? { lookupAll: options.lookupAll } : {}),
        }
      : null;
  if (url && !ctx.config.CRM_WEBHOOK_SECRET) {
    ctx.logger.warn('CRM_WEBHOOK_SECRET is not set: leads are posted without X-Plausch-Signature');
  }

  let timer: NodeJS.Timeout | null = null;
  let running: Promise<unknown> = Promise.resolve();
  let stopping = false;

  const deliverNow = async (): Promise<DeliveryRound> => {
    const current = settings();
    if (!current) return { claimed: 0, delivered: 0, retrying: 0, failed: 0 };
    return deliverDueLeads(getDb(), ctx.store.dialect, current, ctx.logger, ctx.now);
  };

  const tick = () => {
    running = deliverNow()
      .then((round) => {
        // A full batch means more may be waiting: go again at once.
        const again = round.claimed >= (options.delivery?.batchSize ?? DEFAULT_DELIVERY_SETTINGS.batchSize);
        schedule(again ? 0 : (options.pollIntervalMs ?? 5_000));
      })
      .catch((error: unknown) => {
        ctx.logger.error({ err: error }, 'CRM delivery round failed');
        schedule(options.pollIntervalMs ?? 5_000);
      });
  };
  const schedule = (delay: number) => {
    if (stopping) return;
    timer = setTimeout(tick, delay);
    timer.unref?.();
  };

  const openApi: OpenApiFragment = {
    paths: {
      '/leads': {
        get: {
          summary: 'Leads handed to the CRM, newest first, with their delivery state',
          tags: ['crm'],
          parameters: Object.entries(
            (
              z.toJSONSchema(leadListQuerySchema, { io: 'input', unrepresentable: 'any' }) as {
                properties?: Record<string, unknown>;
              }
            ).properties ?? {},
          ).map(([name, schema]) => ({ name, in: 'query', required: false, schema })),
          responses: { '200': { description: 'A page of leads' }, '400': { description: 'Invalid query' } },
        },
      },
      '/leads.csv': {
        get: {
          summary: 'CSV export of leads (UTF-8 with BOM; formula cells defused)',
          tags: ['crm'],
          responses: { '200': { description: 'text/csv' }, '400': { description: 'Invalid query' } },
        },
      },
      '/leads/{id}/retry': {
        post: {
          summary: 'Queue a failed delivery again',
          tags: ['crm'],
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          responses: {
            '200': { description: 'Queued' },
            '404': { description: 'Unknown lead' },
            '409': { description: 'Not failed' },
          },
        },
      },
    },
  };

  return {
    name: 'crm',
    actions: createCrmActions(getDb, () => Boolean(url), options.consentLookup, ctx),
    apiRouter: createCrmApiRouter(getDb, ctx.now),
    openApi,
    async start() {
      if (!url) {
        ctx.logger.info('CRM_WEBHOOK_URL is not set: crm.lead stores leads for export only');
        return;
      }
      stopping = false;
      schedule(0);
    },
    async stop() {
      stopping = true;
      if (timer) clearTimeout(timer);
      await running;
    },
    deliverNow,
  };
}
