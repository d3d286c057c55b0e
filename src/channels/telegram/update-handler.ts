/**
 * One path for every update, whether it came by webhook or polling: validate, normalize, answer button
 * presses at once, and hand the message to the sink. Resolves only after the sink recorded the event.
 * An update that is not valid can never become valid on redelivery: it goes to the dead-letter table
 * (`rejected`) so polling moves on and the webhook answers 200.
 */
import type { Logger } from '../../logger.js';
import { maskContactId } from '../../logger.js';
import type { InboundSink } from '../types.js';
import { normalizeTelegramUpdate } from './inbound.js';
import { telegramUpdateSchema } from './update-schema.js';

export class InvalidTelegramUpdateError extends Error {
  constructor(readonly problems: string) {
    super(`not a Telegram update: ${problems}`);
    this.name = 'InvalidTelegramUpdateError';
  }
}

export type UpdateOutcome = 'accepted' | 'duplicate' | 'ignored' | 'rejected';

export interface TelegramUpdateHandlerOptions {
  logger: Logger;
  /** Stops the client's spinner on a pressed button; failures are logged, never thrown. */
  answerCallbackQuery(callbackQueryId: string): Promise<unknown>;
  now?: () => Date;
}

export function createTelegramUpdateHandler(options: TelegramUpdateHandlerOptions) {
  const now = options.now ?? (() => new Date());
  return async function handleTelegramUpdate(body: unknown, sink: InboundSink): Promise<UpdateOutcome> {
    const parsed = telegramUpdateSchema.safeParse(body);
    if (!parsed.success) {
      // Paths and messages only: the values may hold what customers typed.
      const problems = parsed.error.issues
        .slice(0, 5)
        .map((i) => `${i.path.join('.') || '(update)'}: ${i.message}`)
        .join('; ');
      if (!sink.reject) throw new InvalidTelegramUpdateError(problems);
      const updateId = (body as { update_id?: unknown } | null)?.update_id;
      await sink.reject({
        channel: 'telegram',
        nativeId: typeof updateId === 'number' ? String(updateId) : null,
        reason: `not a Telegram update: ${problems}`,
        payload: body,
        receivedAt: now(),
      });
      options.logger.warn({ updateId, problems }, 'Telegram update rejected: not understood');
      return 'rejected';
    }
    const result = normalizeTelegramUpdate(parsed.data, now());
    if (result.callbackQueryId) {
      // Not awaited: the press is answered while the event is being recorded, so the client stops spinning.
      options.answerCallbackQuery(result.callbackQueryId).catch((error: unknown) => {
        options.logger.warn({ err: error }, 'answerCallbackQuery failed');
      });
    }
    if (result.kind === 'ignored') {
      options.logger.debug({ updateId: parsed.data.update_id, reason: result.reason }, 'update ignored');
      return 'ignored';
    }
    const outcome = await sink.accept(result.message);
    options.logger.debug(
      {
        updateId: parsed.data.update_id,
        chat: maskContactId(result.message.contactNativeId),
        outcome,
      },
      'update recorded',
    );
    return outcome;
  };
}

export type TelegramUpdateHandler = ReturnType<typeof createTelegramUpdateHandler>;
