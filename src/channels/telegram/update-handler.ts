/**
 * One path for every update, whether it came by webhook or polling: validate, normalize, answer button
 * presses at once, and hand the message to the sink. Resolves only after the sink recorded the event.
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

export type UpdateOutcome = 'accepted' | 'duplicate' | 'ignored';

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
      throw new InvalidTelegramUpdateError(
        parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
      );
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
