/**
 * Every migration, in order. Names sort by their number; features add theirs in their own number range
 * (core 0001–0099, channels 0100–0199, faq 0200–, events 0300–, newsletter 0400–, referrals 0500–,
 * crm 0600–, handoff/console 0700–).
 */
import type { Migration } from 'kysely';
import * as core from './0001-core.js';

export const migrations: Record<string, Migration> = {
  '0001-core': core,
};
