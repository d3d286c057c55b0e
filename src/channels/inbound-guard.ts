/**
 * Stands between every channel adapter and the runtime. An inbound event that can never be recorded (a text
 * over the limit, an id of 600 characters, a NUL byte in an id, a payload nested too deep to serialize, a
 * value the database refuses as data) is not retried forever: it is written to the dead-letter table and
 * reported as `rejected`, so the adapter acknowledges it (polling moves on, webhooks answer 2xx/4xx).
 * Only failures that may pass on a retry (database down, lock timeout) still reject the promise.
 *
 * NUL bytes: in texts a customer typed (text, captions, profile names) they are removed, since they carry no
 * meaning and PostgreSQL refuses them; in ids and button payloads they are refused, because changing an
 * identity could merge two contacts or match a button that was never sent.
 */
import type { Kysely } from 'kysely';
import type { Logger } from '../logger.js';
import type { ChannelName, InboundMessage } from '../model/index.js';
import { InboundRejectedError } from '../runtime/validate-inbound.js';
import { insertDeadLetter } from '../store/repositories/dead-letters.js';
import type { CoreTables } from '../store/schema.js';
import type { InboundRejection, InboundSink } from './types.js';

const rejectedCounts = new Map<string, number>();

/**
 * Inbound events rejected into the dead-letter table since this process started, by channel. For /metrics
 * (a counter: it only grows).
 */
export function inboundRejectedCounts(): ReadonlyMap<string, number> {
  return rejectedCounts;
}

const stripNul = (text: string | undefined) => (text === undefined ? text : text.replaceAll('\u0000', ''));

/** Removes NUL from the free texts of a message; reports the identities and payloads that carry one. */
export function sanitizeInbound(message: InboundMessage): { message: InboundMessage; problems: string[] } {
  const problems: string[] = [];
  for (const field of ['nativeId', 'contactNativeId', 'buttonPayload', 'startPayload'] as const) {
    const value = message[field];
    if (typeof value === 'string' && value.includes('\u0000')) problems.push(`${field}: contains a NUL byte`);
  }
  if (message.media?.ref.includes('\u0000')) problems.push('media.ref: contains a NUL byte');
  const clean: InboundMessage = { ...message };
  if (message.text !== undefined) clean.text = stripNul(message.text) as string;
  if (message.profile) {
    clean.profile = Object.fromEntries(
      Object.entries(message.profile).map(([key, value]) => [
        key,
        typeof value === 'string' ? stripNul(value) : value,
      ]),
    ) as InboundMessage['profile'] & object;
  }
  if (message.media?.caption !== undefined) {
    clean.media = { ...message.media, caption: stripNul(message.media.caption) as string };
  }
  return { message: clean, problems };
}

/** Errors that say "this input can never be stored", as opposed to "the store is unavailable". */
export function isPermanentInboundError(error: unknown): boolean {
  if (error instanceof InboundRejectedError) return true;
  // JSON.stringify of a deeply nested payload overflows the stack.
  if (error instanceof RangeError) return true;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string') {
    // PostgreSQL class 22 = data exception (invalid byte sequence, value too long), 54 = program limit.
    if (/^(22|54)[0-9A-Z]{3}$/.test(code)) return true;
    if (code === 'SQLITE_TOOBIG' || code === 'SQLITE_MISMATCH') return true;
  }
  return false;
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

export interface InboundGuardOptions {
  db: Kysely<CoreTables>;
  logger: Logger;
  now?: () => Date;
}

export function guardInboundSink(sink: InboundSink, options: InboundGuardOptions): InboundSink {
  const now = options.now ?? (() => new Date());
  const log = options.logger;

  async function reject(rejection: InboundRejection): Promise<void> {
    // A failure here is transient by nature (the row is bounded text): let it propagate so nothing is acked.
    await insertDeadLetter(options.db, { ...rejection, receivedAt: rejection.receivedAt ?? now() });
    rejectedCounts.set(rejection.channel, (rejectedCounts.get(rejection.channel) ?? 0) + 1);
    log.warn(
      { channel: rejection.channel, nativeId: rejection.nativeId ?? undefined, reason: rejection.reason },
      'inbound event rejected into the dead-letter table',
    );
  }

  const guarded: InboundSink = {
    async accept(message) {
      const { message: clean, problems } = sanitizeInbound(message);
      if (problems.length > 0) {
        await reject(rejectionOf(message, `inbound message rejected: ${problems.join('; ')}`));
        return 'rejected';
      }
      try {
        return await sink.accept(clean);
      } catch (error) {
        if (!isPermanentInboundError(error)) throw error;
        await reject(rejectionOf(message, describe(error)));
        return 'rejected';
      }
    },
    acceptDeliveryReport: (report) => sink.acceptDeliveryReport(report),
    reject,
  };
  if (sink.acceptDeliveryWatermark) {
    const watermark = sink.acceptDeliveryWatermark.bind(sink);
    guarded.acceptDeliveryWatermark = (w) => watermark(w);
  }
  return guarded;
}

function rejectionOf(message: InboundMessage, reason: string): InboundRejection {
  return {
    channel: message.channel as ChannelName,
    nativeId: typeof message.nativeId === 'string' ? message.nativeId : null,
    reason,
    payload: message.raw ?? { ...message, raw: undefined },
    receivedAt:
      message.receivedAt instanceof Date && !Number.isNaN(message.receivedAt.getTime())
        ? message.receivedAt
        : undefined,
  };
}
