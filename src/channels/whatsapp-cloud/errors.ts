/**
 * Maps WhatsApp Cloud API failures to the outbox's SendError kinds: what to retry, when, and what never
 * to retry. Codes from Meta's "Cloud API error codes" page.
 */
import { GraphApiError } from '../meta/graph-client.js';
import { SendError } from '../types.js';

/** Throughput (130429) clears within a second or so; the pair limit (131056) is ~1 message per 6 s. */
const RATE_LIMIT_DELAYS_MS: Record<number, number> = {
  130429: 2_000,
  131056: 6_000,
  4: 60_000,
  80007: 60_000,
};
const DEFAULT_RATE_LIMIT_MS = 5_000;

const WINDOW_CLOSED = new Set([131047, 470]);

const PERMANENT = new Set([
  100, // invalid parameter
  131008, // required parameter missing
  131009, // parameter value invalid
  131021, // recipient is the sender
  131026, // message undeliverable (not on WhatsApp, old app)
  131030, // recipient not in the test allow list
  131031, // account locked
  131051, // unsupported message type
  131052, // media download error
  131053, // media upload error
  132000, // template parameter count mismatch
  132001, // template does not exist
  132005, // template text too long
  132007, // template policy violation
  132012, // template parameter format mismatch
  132015, // template paused
  132016, // template disabled
  133010, // phone number not registered
  368, // temporarily blocked for policy violations
  10, // permission denied
  200, // permission error
]);

/** Codes that mean our credentials are wrong: every send fails until an operator fixes the token. */
export const WHATSAPP_AUTH_CODES = new Set([190, 0]);

export function toWhatsAppSendError(error: unknown): SendError {
  if (error instanceof SendError) return error;
  if (!(error instanceof GraphApiError)) {
    return new SendError(
      `WhatsApp send failed: ${error instanceof Error ? error.message : String(error)}`,
      'transient',
    );
  }
  const { code, status } = error;
  if (status === 429 || (code !== null && code in RATE_LIMIT_DELAYS_MS)) {
    const delay =
      error.retryAfterMs ?? (code !== null ? RATE_LIMIT_DELAYS_MS[code] : undefined) ?? DEFAULT_RATE_LIMIT_MS;
    // Only the pair limit concerns one chat; the others throttle the whole number or app.
    return new SendError(error.message, 'rate-limited', delay, code === 131056 ? 'chat' : 'channel');
  }
  if (code !== null && WINDOW_CLOSED.has(code)) return new SendError(error.message, 'window-closed');
  if (code !== null && WHATSAPP_AUTH_CODES.has(code)) {
    // Retrying with backoff gives the operator time to fix the token without losing the messages.
    return new SendError(error.message, 'transient');
  }
  if (status === null || status >= 500 || error.isTransient) return new SendError(error.message, 'transient');
  if (code !== null && PERMANENT.has(code)) return new SendError(error.message, 'permanent');
  // Other 4xx: the request itself is wrong; repeating it will not help.
  return new SendError(error.message, 'permanent');
}
