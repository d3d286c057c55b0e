/**
 * Retention: data older than its configured limit is purged by one job per cluster. The instance that holds the
 * `retention` lease (a row in job_leases, taken only when the previous lease ran out) runs it; the others skip.
 * Transcript texts are blanked (the rows stay for the counts); raw inbound events, unanswered questions and
 * referral clicks are deleted.
 */
import type { Kysely } from 'kysely';
import { checkpointWal, type Store } from '../../store/database.js';

const DAY_MS = 86_400_000;

export interface RetentionLimits {
  transcriptDays: number;
  inboundDays: number;
  clicksDays: number;
}

export interface PurgeCounts {
  transcript_texts: number;
  unanswered_questions: number;
  inbound_events: number;
  referral_clicks: number;
}

// biome-ignore lint/suspicious/noExplicitAny: the purge spans several features' tables
type AnyDb = Kysely<any>;

/** Takes the named lease for `leaseMs` if nobody holds a current one; true when this holder has it now. */
export async function claimLease(
  store: Store,
  name: string,
  holder: string,
  now: Date,
  leaseMs: number,
): Promise<boolean> {
  const db = store.db as unknown as AnyDb;
  const expires = now.getTime() + leaseMs;
  await db
    .insertInto('job_leases')
    .values({ name, holder, expires_at: expires, last_run_at: null })
    .onConflict((oc) =>
      oc
        .column('name')
        .doUpdateSet({ holder, expires_at: expires })
        .where('job_leases.expires_at', '<=', now.getTime()),
    )
    .execute();
  const row = await db
    .selectFrom('job_leases')
    .select(['holder', 'expires_at'])
    .where('name', '=', name)
    .executeTakeFirst();
  return row?.holder === holder && Number(row.expires_at) === expires;
}

export async function purgeExpired(store: Store, limits: RetentionLimits, now: Date): Promise<PurgeCounts> {
  const db = store.db as unknown as AnyDb;
  const cutoff = (days: number) => now.getTime() - days * DAY_MS;
  const n = (result: { numUpdatedRows?: bigint; numDeletedRows?: bigint }) =>
    Number(result.numUpdatedRows ?? result.numDeletedRows ?? 0);
  const counts: PurgeCounts = {
    transcript_texts: 0,
    unanswered_questions: 0,
    inbound_events: 0,
    referral_clicks: 0,
  };
  if (limits.transcriptDays > 0) {
    const before = cutoff(limits.transcriptDays);
    counts.transcript_texts = n(
      await db
        .updateTable('messages')
        .set({ text: null, details: null })
        .where('created_at', '<', before)
        .where((eb) => eb.or([eb('text', 'is not', null), eb('details', 'is not', null)]))
        .executeTakeFirst(),
    );
    // CSAT comments are the customer's words like the transcript; the scores stay for the figures.
    await db
      .updateTable('csat_surveys')
      .set({ comment: null })
      .where('asked_at', '<', before)
      .where('comment', 'is not', null)
      .execute();
    counts.unanswered_questions = n(
      await db.deleteFrom('faq_unanswered').where('asked_at', '<', before).executeTakeFirst(),
    );
  }
  if (limits.inboundDays > 0) {
    counts.inbound_events = n(
      await db
        .deleteFrom('inbound_events')
        .where('received_at', '<', cutoff(limits.inboundDays))
        // A pending event is still to be handled, whatever its age.
        .where('status', '!=', 'pending')
        .executeTakeFirst(),
    );
    // Dead letters are raw payloads too.
    counts.inbound_events += n(
      await db
        .deleteFrom('inbound_dead_letters')
        .where('received_at', '<', cutoff(limits.inboundDays))
        .executeTakeFirst(),
    );
  }
  if (limits.clicksDays > 0) {
    const before = cutoff(limits.clicksDays);
    counts.referral_clicks = n(
      await db.deleteFrom('referral_clicks').where('created_at', '<', before).executeTakeFirst(),
    );
    await db.deleteFrom('referral_click_days').where('created_at', '<', before).execute();
  }
  return counts;
}

/** Claims the lease and purges; returns null when another instance holds it. */
export async function runRetentionOnce(
  store: Store,
  limits: RetentionLimits,
  holder: string,
  now: Date,
  leaseMs: number,
): Promise<PurgeCounts | null> {
  if (!(await claimLease(store, 'retention', holder, now, leaseMs))) return null;
  const counts = await purgeExpired(store, limits, now);
  // Purged texts leave the WAL too (secure_delete already zeroed them in the pages).
  await checkpointWal(store);
  await (store.db as unknown as AnyDb)
    .updateTable('job_leases')
    .set({ last_run_at: now.getTime() })
    .where('name', '=', 'retention')
    .execute();
  return counts;
}
