/**
 * A token bucket per key (web chat session): short bursts pass, a flood gets 429. In memory, per process;
 * the map is bounded so rotating keys cannot exhaust memory.
 */

export interface RateLimitOptions {
  /** Messages allowed at once. */
  burst: number;
  /** Tokens regained per second. */
  perSecond: number;
  /** Keys remembered at most; the least recently used are forgotten. */
  maxKeys?: number;
}

export class SessionRateLimiter {
  private readonly buckets = new Map<string, { tokens: number; updatedAt: number }>();

  constructor(private readonly options: RateLimitOptions) {}

  /** Takes a token; returns 0 when allowed, else the milliseconds until one is available. */
  take(key: string, now = Date.now()): number {
    const { burst, perSecond } = this.options;
    const bucket = this.buckets.get(key) ?? { tokens: burst, updatedAt: now };
    bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.updatedAt) / 1000) * perSecond);
    bucket.updatedAt = now;
    // Re-insert so the Map's order is least-recently-used first.
    this.buckets.delete(key);
    this.buckets.set(key, bucket);
    if (this.buckets.size > (this.options.maxKeys ?? 50_000)) {
      const oldest = this.buckets.keys().next().value;
      if (oldest !== undefined) this.buckets.delete(oldest);
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - bucket.tokens) / perSecond) * 1000);
  }
}
