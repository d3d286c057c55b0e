/**
 * Maps Messenger Send API failures to the outbox's SendError kinds. Codes from Meta's "Messenger Platform
 * error codes" page.
 */
import { GraphApiError } from '../meta/graph-client.js';
import { SendError } from '../types.js';

const RATE_LIMIT_DELAYS_MS: Record<number, number> = {
  4: 60_000, // application request limit
  613: 60_000, // calls to this API exceeded the rate limit
  32: 60_000, // page-level throttling
  17: 60_000, // user request limit
};
const DEFAULT_RATE_LIMIT_MS = 5_000;

/** Subcodes that mean "outside the 24-hour window / tag not allowed". */
const WINDOW_SUBCODES = new Set([2018278, 2018065, 2018108]);
/** The person cannot be reached: no matching user, blocked the Page, unavailable. */
const UNREACHABLE_SUBCODES = new Set([2018001, 1545041, 2018027, 2018109]);

export const MESSENGER_AUTH_CODES = new Set([190]);

export function toMessengerSendError(error: unknown): SendError {
  if (error instanceof SendError) return error;
  if (!(error instanceof GraphApiError)) {
    return new SendError(
      `Messenger send failed: ${error instanceof Error ? error.message : String(error)}`,
      'transient',
    );
  }
  const { code, subcode, status } = error;
  if (status === 429 || (code !== null && code in RATE_LIMIT_DELAYS_MS)) {
    const delay =
      error.retryAfterMs ?? (code !== null ? RATE_LIMIT_DELAYS_MS[code] : undefined) ?? DEFAULT_RATE_LIMIT_MS;
    // These limits apply to the Page or the app, not to one conversation.
    return new SendError(error.message, 'rate-limited', delay, 'channel');
  }
  if ((subcode !== null && WINDOW_SUBCODES.has(subcode)) || (code === 10 && subcode === null)) {
    return new SendError(error.message, 'window-closed');
  }
  if (code === 551 || (subcode !== null && UNREACHABLE_SUBCODES.has(subcode))) {
    return new SendError(error.message, 'permanent');
  }
  // A rejected token makes every send fail; retrying gives the operator time to fix it.
  if (code !== null && MESSENGER_AUTH_CODES.has(code)) return new SendError(error.message, 'transient');
  if (status === null || status >= 500 || error.isTransient || code === 1 || code === 2) {
    return new SendError(error.message, 'transient');
  }
  return new SendError(error.message, 'permanent');
}
