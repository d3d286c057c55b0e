/**
 * Pacing per channel and chat.
 * - Per channel, a send schedule shared by every instance through the store (`outbox_pacing.next_at`). A
 *   send goes only once the store granted it, at the moment of sending: the grant is one atomic statement
 *   that succeeds only if `next_at` has passed and moves it one interval on. Grants are therefore at least
 *   `1 / rate` apart in real time however many instances send and however late their timers fire (slots
 *   reserved ahead would fire in a burst after a stall); an idle channel starts at "now", so there is no
 *   burst above the rate (a token bucket would allow one of its capacity). Each instance asks from one
 *   loop per channel, so waiting sends cost no queries.
 * - Per chat, a minimum interval (`perChatIntervalMs`, in this instance's memory: a chat has one send in
 *   flight cluster-wide anyway, see claim.ts).
 * - Pauses a platform asked for with a 429: a chat's in memory, a whole channel's in the shared schedule.
 * `reserve` answers when the chat may have its next send (the worker waits that long or, if it is far off,
 * requeues the row); `acquire` then waits for the channel's grant.
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

/**
 * A grant may come this much before its slot (GCRA's tolerance), so a loop whose timer fired a little late
 * catches up on the next grant instead of losing the time for good. Within one second this can add at most
 * one interval's share of 10 ms: 30 grants still span ≥ 30 × 34 ms − 10 ms > 1 s, and another 10 ms of
 * network jitter stay absorbed by the headroom.
 */
export const PACING_TOLERANCE_MS = 10;

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
  readonly #gates = new Map<string, ChannelGate>();
  readonly #now: () => number;

  constructor(store: Store, now: () => number = Date.now) {
    this.#store = store;
    this.#now = now;
  }

  /**
   * Reserves the chat's next send at the earliest allowed time and returns the milliseconds to wait before
   * asking the channel (`acquire`). Nothing is reserved if the wait (the chat's interval, a pause, or the
   * sends queued ahead for the channel) is longer than `maxWaitMs`: the caller should try again later.
   */
  reserve(
    channel: string,
    chatKey: string,
    pacing: ChannelPacing,
    now: number,
    maxWaitMs: number,
  ): SlotReservation {
    const chatAt = Math.max(this.#chatNextAt.get(chatKey) ?? 0, this.#chatPausedUntil.get(chatKey) ?? 0, now);
    const interval = channelInterval(pacing);
    const queued = interval === null ? 0 : (this.#gates.get(channel)?.queued ?? 0) * interval;
    const waitMs = Math.ceil(chatAt - now);
    if (waitMs + queued > maxWaitMs) return { waitMs: waitMs + queued, reserved: false };
    if (pacing.perChatIntervalMs > 0)
      this.#chatNextAt.set(chatKey, chatAt + queued + pacing.perChatIntervalMs);
    this.#forgetOld(now);
    return { waitMs, reserved: true };
  }

  /**
   * Waits until the channel's shared schedule grants this send. Resolves with the time of the grant (the
   * send may go now), or null when `signal` aborted the wait (the worker is stopping).
   */
  acquire(channel: string, pacing: ChannelPacing, signal: AbortSignal): Promise<number | null> {
    const interval = channelInterval(pacing);
    if (interval === null) return Promise.resolve(signal.aborted ? null : this.#now());
    let gate = this.#gates.get(channel);
    if (!gate) {
      gate = new ChannelGate(channel, (at) => this.#grant(channel, interval, at), this.#now);
      this.#gates.set(channel, gate);
    }
    return gate.acquire(signal);
  }

  /**
   * Counts a message against the channel's rate without waiting: WhatsApp Cloud's throughput limit counts
   * inbound and outbound messages together, so each inbound message takes one slot of the schedule.
   */
  async count(channel: string, pacing: ChannelPacing, now: number): Promise<void> {
    const interval = channelInterval(pacing);
    if (interval === null) return;
    await this.#ensureRow(channel);
    await this.#db()
      .updateTable('outbox_pacing')
      .set({ next_at: sql<number>`${later(now)} + ${castDouble(interval)}` })
      .where('key', '=', channel)
      .execute();
  }

  /** The platform throttled this chat (or the whole channel): nothing goes there before `until`. */
  async pause(channel: string, chatKey: string, until: number, scope: 'chat' | 'channel'): Promise<void> {
    if (scope === 'chat') {
      this.#chatPausedUntil.set(chatKey, Math.max(this.#chatPausedUntil.get(chatKey) ?? 0, until));
      return;
    }
    await this.#ensureRow(channel);
    await this.#db()
      .updateTable('outbox_pacing')
      .set({ next_at: later(until) })
      .where('key', '=', channel)
      .execute();
  }

  /**
   * One atomic statement: granted if the schedule's `next_at` has (nearly) passed, which moves it one
   * interval on from the later of itself and now. PostgreSQL serialises concurrent grants on the row lock.
   * Otherwise returns when to ask again.
   */
  async #grant(
    channel: string,
    interval: number,
    now: number,
  ): Promise<{ granted: true } | { granted: false; nextAt: number }> {
    const db = this.#db();
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const row = await db
        .updateTable('outbox_pacing')
        .set({ next_at: sql<number>`${later(now)} + ${castDouble(interval)}` })
        .where('key', '=', channel)
        .where('next_at', '<=', castDouble(now + PACING_TOLERANCE_MS))
        .returning('next_at')
        .executeTakeFirst();
      if (row) return { granted: true };
      const current = await db
        .selectFrom('outbox_pacing')
        .select('next_at')
        .where('key', '=', channel)
        .executeTakeFirst();
      if (current) return { granted: false, nextAt: Number(current.next_at) };
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

/** Milliseconds between two grants of a channel, or null when it is not paced. */
function channelInterval(pacing: ChannelPacing): number | null {
  if (!Number.isFinite(pacing.overallPerSecond) || pacing.overallPerSecond <= 0) return null;
  return 1000 / (pacing.overallPerSecond * (1 - PACING_HEADROOM));
}

/**
 * The sends of one channel in this instance waiting for a grant, first come first served, and the one loop
 * that asks the store for them: at most one query per grant and per "not yet", whatever the queue length.
 */
class ChannelGate {
  readonly #waiters: Array<{ resolve: (grantedAt: number | null) => void }> = [];
  #running = false;

  constructor(
    readonly channel: string,
    private readonly grant: (now: number) => Promise<{ granted: true } | { granted: false; nextAt: number }>,
    private readonly now: () => number,
  ) {}

  get queued(): number {
    return this.#waiters.length;
  }

  acquire(signal: AbortSignal): Promise<number | null> {
    if (signal.aborted) return Promise.resolve(null);
    return new Promise((resolve) => {
      const onAbort = () => {
        const index = this.#waiters.indexOf(waiter);
        if (index >= 0) this.#waiters.splice(index, 1);
        resolve(null);
      };
      // The listener goes once the grant comes: the signal lives as long as the worker, and one listener
      // left behind per send grew without bound (Node's MaxListenersExceededWarning after 10 sends).
      const waiter = {
        resolve: (at: number | null) => {
          signal.removeEventListener('abort', onAbort);
          resolve(at);
        },
      };
      this.#waiters.push(waiter);
      signal.addEventListener('abort', onAbort, { once: true });
      if (!this.#running) void this.#loop();
    });
  }

  async #loop(): Promise<void> {
    this.#running = true;
    try {
      while (this.#waiters.length > 0) {
        let answer: Awaited<ReturnType<typeof this.grant>>;
        const at = this.now();
        try {
          answer = await this.grant(at);
        } catch {
          // The store is briefly unreachable: nothing is granted; ask again shortly.
          answer = { granted: false, nextAt: at + 500 };
        }
        if (answer.granted) {
          this.#waiters.shift()?.resolve(at);
          continue;
        }
        const wait = Math.max(1, Math.ceil(answer.nextAt - PACING_TOLERANCE_MS - this.now()));
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
    } finally {
      this.#running = false;
    }
  }
}

/** The later of `next_at` and a time, in SQL. */
function later(at: number) {
  return sql<number>`case when next_at < ${castDouble(at)} then ${castDouble(at)} else next_at end`;
}

/** PostgreSQL cannot infer a parameter's type inside CASE arithmetic; SQLite ignores the cast. */
function castDouble(value: number) {
  return sql<number>`cast(${value} as double precision)`;
}
