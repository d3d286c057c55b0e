/** What a failed send means for its row: retry when, hold, or give up. */
import { SendError } from '../channels/types.js';
import type { SendOutcome } from './rows.js';

export const BACKOFF_BASE_MS = 1_000;
export const BACKOFF_CAP_MS = 5 * 60_000;
/** Used when a platform throttles without saying for how long. */
export const DEFAULT_RETRY_AFTER_MS = 5_000;

/** 1 s, 2 s, 4 s … capped at 5 min, each spread by ±20 % so retries of many rows do not arrive in lockstep. */
export function backoffDelayMs(attempt: number, random: () => number = Math.random): number {
  const exponential = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempt - 1));
  return Math.round(exponential * (0.8 + 0.4 * random()));
}

export interface FailureDecision {
  outcome: SendOutcome;
  /** Set for a 429: pause this chat (or the channel) until then. */
  pause?: { until: number; scope: 'chat' | 'channel' };
}

export function describeError(error: unknown): string {
  const text =
    error instanceof Error
      ? `${error.name === 'Error' ? '' : `${error.name}: `}${error.message}`
      : String(error);
  return text.slice(0, 1000);
}

export function decideAfterFailure(
  error: unknown,
  row: { attempts: number },
  options: { now: number; maxAttempts: number; random?: () => number },
): FailureDecision {
  const { now } = options;
  const message = describeError(error);
  const kind = error instanceof SendError ? error.kind : 'transient';
  switch (kind) {
    case 'rate-limited': {
      const retryAfter =
        error instanceof SendError && error.retryAfterMs !== undefined
          ? error.retryAfterMs
          : DEFAULT_RETRY_AFTER_MS;
      const until = now + Math.max(0, retryAfter);
      const scope = error instanceof SendError && error.scope === 'channel' ? 'channel' : 'chat';
      // Throttling is the platform pacing us, not the message failing: no attempt is counted.
      return {
        outcome: {
          status: 'queued',
          nextAttemptAt: until,
          attempts: row.attempts,
          error: `rate limited: ${message}`,
        },
        pause: { until, scope },
      };
    }
    case 'permanent':
      return { outcome: { status: 'failed', attempts: row.attempts + 1, error: message } };
    case 'window-closed':
      return {
        outcome: {
          status: 'held',
          heldBy: 'platform-window',
          reason: `platform refused outside the window: ${message}`,
        },
      };
    default: {
      const attempts = row.attempts + 1;
      if (attempts >= options.maxAttempts) {
        return {
          outcome: { status: 'failed', attempts, error: `gave up after ${attempts} attempts: ${message}` },
        };
      }
      return {
        outcome: {
          status: 'queued',
          nextAttemptAt: now + backoffDelayMs(attempts, options.random),
          attempts,
          error: message,
        },
      };
    }
  }
}
