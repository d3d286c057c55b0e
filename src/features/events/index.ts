/**
 * The event notices feature: events from flows/events and the API, the `events.*` actions, the reminder
 * scheduler, change notices, announcements (through newsletter broadcasts) and the public .ics files.
 */
import { join } from 'node:path';
import type { NewsletterFeature } from '../newsletter/index.js';
import type { Feature, FeatureContext } from '../types.js';
import { createEventActions } from './actions.js';
import { createEventsApiRouter, createEventsPublicRouter } from './api.js';
import { loadEventDefinitions } from './definitions.js';
import { type EventServiceDeps, type SyncReport, syncYamlEvents } from './event-service.js';
import { eventsOpenApi } from './openapi.js';
import { deliverDueReminders, type ReminderRunResult } from './reminder-scheduler.js';
import { type EventsDb, withEventTables } from './tables.js';
import type { EventLinks } from './texts.js';
import { eventTemplates } from './whatsapp-template.js';

export interface EventsFeatureOptions {
  /** Defaults to `<FLOWS_DIR>/events`. */
  eventsDir?: string;
  /** For announcements (broadcasts to a topic) and topic checks; without it /announce answers 503. */
  newsletter?: NewsletterFeature;
  /** `flow.step` opened by list buttons when a flow gives no `detail` (default `events.show`). */
  defaultDetailStep?: string;
  /** `flow.step` an announcement's "Erinnere mich" button opens (default `events.remind`). */
  remindStep?: string;
  reminderIntervalMs?: number;
  reminderBatchSize?: number;
}

export interface EventsFeature extends Feature {
  readonly db: EventsDb;
  /** Re-reads flows/events and applies changes (moves and cancellations notify who asked). */
  syncDefinitions(): Promise<SyncReport>;
  /** Sends every due reminder now (batches until none is due). */
  runReminders(): Promise<ReminderRunResult>;
}

export function createEventsFeature(ctx: FeatureContext, options: EventsFeatureOptions = {}): EventsFeature {
  const flowsDir = ctx.config.FLOWS_DIR;
  const eventsDir = options.eventsDir ?? join(flowsDir, 'events');
  const db = withEventTables(ctx.store.db);
  const logger = ctx.logger.child({ feature: 'events' });
  const publicUrl = ctx.config.PUBLIC_URL.replace(/\/+$/, '');
  const icsUrl = (eventId: string) => `${publicUrl}/events/${eventId}.ics`;
  const links = (eventId: string): EventLinks => ({ ics: icsUrl(eventId) });
  const newsletter = options.newsletter;
  // WhatsApp templates live with the newsletter feature (flows/whatsapp/templates.yaml).
  const templateFor = newsletter
    ? eventTemplates(
        () => newsletter.templates(),
        () => newsletter.topics().defaultLocale,
      )
    : undefined;
  const serviceDeps: EventServiceDeps = {
    db,
    links,
    ...(templateFor ? { templateFor } : {}),
    ...(newsletter ? { topicExists: (topic: string) => newsletter.topics().has(topic) } : {}),
  };
  const batchSize = options.reminderBatchSize ?? 200;
  // Fail at construction on a broken file, with file:line:column, rather than at the first reminder.
  loadEventDefinitions(eventsDir, flowsDir);

  const runReminders = async (): Promise<ReminderRunResult> => {
    const total: ReminderRunResult = { sent: 0, skipped: 0, cancelled: 0 };
    for (;;) {
      const batch = await deliverDueReminders(db, ctx.now(), {
        dialect: ctx.store.dialect,
        batchSize,
        links,
        ...(templateFor ? { templateFor } : {}),
      });
      total.sent += batch.sent;
      total.skipped += batch.skipped;
      total.cancelled += batch.cancelled;
      if (batch.sent + batch.skipped + batch.cancelled < batchSize) return total;
    }
  };

  let timer: NodeJS.Timeout | null = null;
  let running: Promise<unknown> | null = null;
  const tick = () => {
    if (running) return;
    running = runReminders()
      .then((result) => {
        if (result.sent + result.skipped + result.cancelled > 0)
          logger.info(result, 'event reminders handled');
      })
      .catch((error: unknown) => logger.error({ err: error }, 'event reminder run failed'))
      .finally(() => {
        running = null;
      });
  };

  return {
    name: 'events',
    db,
    syncDefinitions: async () =>
      syncYamlEvents(serviceDeps, loadEventDefinitions(eventsDir, flowsDir), ctx.now().getTime(), logger),
    runReminders,
    async reload() {
      await syncYamlEvents(
        serviceDeps,
        loadEventDefinitions(eventsDir, flowsDir),
        ctx.now().getTime(),
        logger,
      );
    },
    async loadData() {
      await syncYamlEvents(
        serviceDeps,
        loadEventDefinitions(eventsDir, flowsDir),
        ctx.now().getTime(),
        logger,
      );
    },
    actions: createEventActions({ db, links, defaultDetailStep: options.defaultDetailStep ?? 'events.show' }),
    apiRouter: createEventsApiRouter({
      ...serviceDeps,
      now: ctx.now,
      icsUrl,
      hostname: new URL(publicUrl).hostname,
      remindStep: options.remindStep ?? 'events.remind',
      ...(newsletter ? { newsletter } : {}),
    }),
    publicRouter: createEventsPublicRouter({
      db,
      icsUrl,
      hostname: new URL(publicUrl).hostname,
      now: ctx.now,
    }),
    openApi: eventsOpenApi(),
    async start() {
      if (timer) return;
      const report = await syncYamlEvents(
        serviceDeps,
        loadEventDefinitions(eventsDir, flowsDir),
        ctx.now().getTime(),
        logger,
      );
      logger.info(
        { created: report.created.length, updated: report.updated.length, unchanged: report.unchanged },
        'events synced from flows/events',
      );
      timer = setInterval(tick, options.reminderIntervalMs ?? 15_000);
      timer.unref();
      tick();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = null;
      await running;
    },
  };
}

export type { EventRecord } from './records.js';
