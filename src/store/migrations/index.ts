/**
 * Every migration, in order. Names sort by their number; features add theirs in their own number range
 * (core 0001–0099, channels 0100–0199, faq 0200–, events 0300–, newsletter 0400–, referrals 0500–,
 * crm 0600–, handoff/console 0700–, insights/privacy 0800–, outbox 0900–, inbox/dead letters 1000–, request ids and shared rate limits 1050–,
 * workbench 1100–, console inbox 1200–, engine/conversations 1300–).
 */
import type { Migration } from 'kysely';
import * as core from './0001-core.js';
import * as runtime from './0050-runtime.js';
import * as webchat from './0100-webchat.js';
import * as faq from './0200-faq.js';
import * as events from './0300-events.js';
import * as newsletter from './0400-newsletter.js';
import * as referrals from './0500-referrals.js';
import * as crm from './0600-crm.js';
import * as handoffConsole from './0700-handoff-console.js';
import * as inboxMedia from './0710-inbox-media.js';
import * as insights from './0800-insights.js';
import * as privacy from './0810-privacy.js';
import * as retention from './0820-retention.js';
import * as outboxPacing from './0900-outbox-pacing.js';
import * as storeHealth from './0950-store-health.js';
import * as deadLetters from './1000-dead-letters.js';
import * as requestIds from './1050-request-ids.js';
import * as rateLimits from './1051-rate-limits.js';
import * as workbench from './1100-workbench.js';
import * as workbenchSync from './1150-workbench-sync.js';
import * as inboxCsat from './1250-inbox-csat.js';
import * as inboxAssignment from './1251-inbox-assignment.js';
import * as inboxContacts from './1252-inbox-contacts.js';

export const migrations: Record<string, Migration> = {
  '0001-core': core,
  '0050-runtime': runtime,
  '0100-webchat': webchat,
  '0200-faq': faq,
  '0300-events': events,
  '0400-newsletter': newsletter,
  '0500-referrals': referrals,
  '0600-crm': crm,
  '0700-handoff-console': handoffConsole,
  '0710-inbox-media': inboxMedia,
  '0800-insights': insights,
  '0810-privacy': privacy,
  '0820-retention': retention,
  '0900-outbox-pacing': outboxPacing,
  '0950-store-health': storeHealth,
  '1000-dead-letters': deadLetters,
  '1050-request-ids': requestIds,
  '1051-rate-limits': rateLimits,
  '1100-workbench': workbench,
  '1150-workbench-sync': workbenchSync,
  '1250-inbox-csat': inboxCsat,
  '1251-inbox-assignment': inboxAssignment,
  '1252-inbox-contacts': inboxContacts,
};
