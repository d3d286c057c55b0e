/**
 * Pacing per channel and chat.
 * - Per channel, a send schedule shared by every instance through the store (`outbox_pacing`): each send
 *   reserves the next slot, slots are `1 / rate` apart, and an idle channel starts at "now" — no burst
 *   above the rate, ever, however many instances send (a token bucket would allow a burst of its capacity).
 * - Per chat, a minimum interval (`perChatIntervalMs`, in this instance's memory: a chat has one send in
 *   flight cluster-wide anyway, see claim.ts).
 * - Pauses a platform asked for with a 429: a chat's in memory, a whole channel's in the shared schedule.
 * `reserve` answers when a send may go; the worker waits that long or, if it is far off, requeues the row.
 */
import { sql } from 'kysely';
import type { ChannelPacing } from '../channels/types.js';
import type { Store } from '../store/database.js';

/**
 * Slots are spaced for this share of the configured rate. Timers fire late, never early: a send that left
 * a few ms late followed by one on time would put one send too many into some rolling second. 2 % of a
 * second is 20 ms of lateness absorbed per second, for 2 % of the rate.
 */
export const PACING_HEADROOM = 0.02;

type PacingTables = {
  outbox_pacing: { key: string; next_at: number };
};

export interface SlotReservation {
  waitMs: number;
  reserved: boolean;
}

export class OutboxPacer {
  readonly #store: Store;
  readonly #chatNextAt = new Map<string, number>();
  readonly #chatPausedUntil = new Map<string, number>();

  constructor(store: Store) {
    this.#store = store;
  }

  /**
   * Reserves a send slot for this chat at the earliest allowed time and returns the milliseconds to wait.
   * The slot is taken (the channel's schedule and the chat's interval count it) whether the caller waits or
   * not, unless the wait is longer than `maxWaitMs`: then nothing is reserved and the caller should try
   * again later.
   */
  async reserve(
    channel: string,
    chatKey: string,
    pacing: ChannelPacing,
    now: number,
    maxWaitMs: number,
  ): Promise<SlotReservation> {
    const chatAt = Math.max(this.#chatNextAt.get(chatKey) ?? 0, this.#chatPausedUntil.get(chatKey) ?? 0, now);
    if (chatAt - now > maxWaitMs) return { waitMs: chatAt - now, reserved: false };
    let sendAt = chatAt;
    if (Number.isFinite(pacing.overallPerSecond) && pacing.overallPerSecond > 0) {
      const interval = 1000 / (pacing.overallPerSecond * (1 - PACING_HEADROOM));
      const slot = await this.#reserveChannelSlot(channel, chatAt, interval, now + maxWaitMs);
      if (slot.at === null) return { waitMs: Math.max(0, slot.nextAt - now), reserved: false };
      sendAt = slot.at;
    }
    if (pacing.perChatIntervalMs > 0) this.#chatNextAt.set(chatKey, sendAt + pacing.perChatIntervalMs);
    this.#forgetOld(now);
    return { waitMs: Math.max(0, Math.ceil(sendAt - now)), reserved: true };
  }

  /**
   * Counts a message against the channel's rate without waiting: WhatsApp Cloud's throughput limit counts
   * inbound and outbound messages together, so each inbound message takes one slot of the schedule.
   */
  async count(channel: string, pacing: ChannelPacing, now: number): Promise<void> {
    if (!Number.isFinite(pacing.overallPerSecond) || pacing.overallPerSecond <= 0) return;
    const interval = 1000 / (pacing.overallPerSecond * (1 - PACING_HEADROOM));
    await this.#reserveChannelSlot(channel, now, interval, Number.POSITIVE_INFINITY);
  }

  /** The platform throttled this chat (or the whole channel): nothing goes there before `until`. */
  async pause(channel: string, chatKey: string, until: number, scope: 'chat' | 'channel'): Promise<void> {
    if (scope === 'chat') {
      this.#chatPausedUntil.set(chatKey, Math.max(this.#chatPausedUntil.get(chatKey) ?? 0, until));
      return;
    }
    const db = this.#db();
    await this.#ensureRow(channel);
    await db
      .updateTable('outbox_pacing')
      .set({
        next_at: sql<number>`case when next_at < ${castDouble(until)} then ${castDouble(until)} else next_at end`,
      })
      .where('key', '=', channel)
      .execute();
  }

  /**
   * One atomic statement takes the slot at max(schedule, notBefore) and moves the schedule one interval on,
   * unless that slot is later than `latest`. PostgreSQL serialises concurrent reservations on the row lock.
   */
  async #reserveChannelSlot(
    channel: string,
    notBefore: number,
    interval: number,
    latest: number,
  ): Promise<{ at: number; nextAt: number } | { at: null; nextAt: number }> {
    const db = this.#db();
    const start = sql<number>`case when next_at < ${castDouble(notBefore)} then ${castDouble(notBefore)} else next_at end`;
    for (let attempt = 0; attempt < 2; attempt += 1) {
      let update = db
        .updateTable('outbox_pacing')
        .set({ next_at: sql<number>`${start} + ${castDouble(interval)}` })
        .where('key', '=', channel);
      if (Number.isFinite(latest)) update = update.where(start, '<=', castDouble(latest));
      const row = await update.returning('next_at').executeTakeFirst();
      if (row) {
        const nextAt = Number(row.next_at);
        return { at: nextAt - interval, nextAt };
      }
      const current = await db
        .selectFrom('outbox_pacing')
        .select('next_at')
        .where('key', '=', channel)
        .executeTakeFirst();
      if (current) return { at: null, nextAt: Number(current.next_at) };
      await this.#ensureRow(channel);
    }
    throw new Error(`pacing schedule of ${channel} could not be created`);
  }

  async #ensureRow(channel: string): Promise<void> {
    await this.#db()
      .insertInto('outbox_pacing')
      .values({ key: channel, next_at: 0 })
      .onConflict((oc) => oc.column('key').doNothing())
      .execute();
  }

  #db() {
    return this.#store.db.withTables<PacingTables>();
  }

  /** Chat entries in the past carry no information; drop them so the maps stay small. */
  #forgetOld(now: number): void {
    if (this.#chatNextAt.size < 10_000 && this.#chatPausedUntil.size < 10_000) return;
    for (const map of [this.#chatNextAt, this.#chatPausedUntil]) {
      for (const [key, at] of map) if (at <= now) map.delete(key);
    }
  }
}

/** PostgreSQL cannot infer a parameter's type inside CASE arithmetic; SQLite ignores the cast. */
function castDouble(value: number) {
  return sql<number>`cast(${value} as double precision)`;
}
