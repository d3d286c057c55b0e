/**
 * Pacing per channel and chat: a token bucket per channel (`overallPerSecond`, bursts up to one second's
 * worth), a minimum interval per chat (`perChatIntervalMs`), and pauses a platform asked for with a 429.
 * `reserve` answers when a send may go; the worker waits that long or, if it is far off, requeues the row.
 */
import type { ChannelPacing } from '../channels/types.js';

interface Bucket {
  tokens: number;
  updatedAt: number;
}

export class OutboxPacer {
  readonly #buckets = new Map<string, Bucket>();
  readonly #chatNextAt = new Map<string, number>();
  readonly #chatPausedUntil = new Map<string, number>();
  readonly #channelPausedUntil = new Map<string, number>();

  /**
   * Reserves a send slot for this chat at the earliest allowed time and returns the milliseconds to wait.
   * The slot is taken (the bucket and the chat's interval count it) whether the caller waits or not, unless
   * the wait is longer than `maxWaitMs`: then nothing is reserved and the caller should try again later.
   */
  reserve(
    channel: string,
    chatKey: string,
    pacing: ChannelPacing,
    now: number,
    maxWaitMs: number,
  ): { waitMs: number; reserved: boolean } {
    const pausedUntil = Math.max(
      this.#chatPausedUntil.get(chatKey) ?? 0,
      this.#channelPausedUntil.get(channel) ?? 0,
    );
    const chatAt = this.#chatNextAt.get(chatKey) ?? 0;
    const bucketWait = this.#bucketWait(channel, pacing.overallPerSecond, now);
    const sendAt = Math.max(now, pausedUntil, chatAt, now + bucketWait);
    const waitMs = sendAt - now;
    if (waitMs > maxWaitMs) return { waitMs, reserved: false };
    this.#takeToken(channel, pacing.overallPerSecond, now);
    if (pacing.perChatIntervalMs > 0) this.#chatNextAt.set(chatKey, sendAt + pacing.perChatIntervalMs);
    this.#forgetOld(now);
    return { waitMs, reserved: true };
  }

  /** The platform throttled this chat (or the whole channel): nothing goes there before `until`. */
  pause(channel: string, chatKey: string, until: number, scope: 'chat' | 'channel'): void {
    const map = scope === 'channel' ? this.#channelPausedUntil : this.#chatPausedUntil;
    const key = scope === 'channel' ? channel : chatKey;
    map.set(key, Math.max(map.get(key) ?? 0, until));
  }

  #bucketWait(channel: string, perSecond: number, now: number): number {
    if (!Number.isFinite(perSecond) || perSecond <= 0) return 0;
    const bucket = this.#refill(channel, perSecond, now);
    return bucket.tokens >= 1 ? 0 : Math.ceil(((1 - bucket.tokens) / perSecond) * 1000);
  }

  #takeToken(channel: string, perSecond: number, now: number): void {
    if (!Number.isFinite(perSecond) || perSecond <= 0) return;
    // May go negative: a caller that waits has borrowed the next token, and the next caller waits longer.
    this.#refill(channel, perSecond, now).tokens -= 1;
  }

  #refill(channel: string, perSecond: number, now: number): Bucket {
    const capacity = Math.max(1, perSecond);
    let bucket = this.#buckets.get(channel);
    if (!bucket) {
      bucket = { tokens: capacity, updatedAt: now };
      this.#buckets.set(channel, bucket);
    }
    const elapsed = Math.max(0, now - bucket.updatedAt);
    bucket.tokens = Math.min(capacity, bucket.tokens + (elapsed / 1000) * perSecond);
    bucket.updatedAt = now;
    return bucket;
  }

  /** Chat entries in the past carry no information; drop them so the maps stay small. */
  #forgetOld(now: number): void {
    if (this.#chatNextAt.size < 10_000) return;
    for (const map of [this.#chatNextAt, this.#chatPausedUntil]) {
      for (const [key, at] of map) if (at <= now) map.delete(key);
    }
  }
}
