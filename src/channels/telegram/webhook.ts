/**
 * The webhook route: checks Telegram's secret header in constant time and answers 200 only after the update
 * was recorded, 500 when recording failed (Telegram then redelivers), 401 for a wrong secret, 400 for a body
 * that is not an update. Telegraf's own webhookCallback answers 200 even when the handler failed, which
 * would lose the update, so it is not used.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { Logger } from '../../logger.js';
import type { InboundSink, WebhookRoute } from '../types.js';
import { InvalidTelegramUpdateError, type TelegramUpdateHandler } from './update-handler.js';

export const TELEGRAM_WEBHOOK_PATH = '/webhooks/telegram';
const SECRET_HEADER = 'x-telegram-bot-api-secret-token';

/** Constant-time comparison; hashing first makes different lengths take the same time too. */
export function secretMatches(received: string | undefined, expected: string): boolean {
  if (received === undefined) return false;
  const a = createHash('sha256').update(received).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

export function createTelegramWebhookRoute(options: {
  secret: string;
  handleUpdate: TelegramUpdateHandler;
  sink: () => InboundSink | null;
  logger: Logger;
}): WebhookRoute {
  const { logger } = options;
  return {
    method: 'POST',
    path: TELEGRAM_WEBHOOK_PATH,
    async handle(request, response) {
      const header = request.headers[SECRET_HEADER];
      if (!secretMatches(typeof header === 'string' ? header : undefined, options.secret)) {
        logger.warn({ ip: request.socket.remoteAddress }, 'webhook call with missing or wrong secret');
        return reply(response, 401, { error: 'wrong or missing X-Telegram-Bot-Api-Secret-Token' });
      }
      const sink = options.sink();
      if (!sink) return reply(response, 503, { error: 'telegram channel not started' });
      if (request.body === undefined) {
        logger.warn({ bytes: request.rawBody.length }, 'webhook body is not usable JSON');
        // The secret matched, so this is Telegram (or holds its secret): a 4xx would be redelivered forever.
        if (!sink.reject) return reply(response, 400, { error: 'body must be a JSON Telegram update' });
        try {
          await sink.reject({
            channel: 'telegram',
            reason: 'webhook body is not JSON (or nested deeper than the limit)',
            payload: request.rawBody,
          });
        } catch (error) {
          logger.error(
            { err: error },
            'recording a rejected Telegram update failed; Telegram will redeliver',
          );
          return reply(response, 500, { error: 'could not record the update' });
        }
        return reply(response, 200, { ok: true, outcome: 'rejected' });
      }
      try {
        const outcome = await options.handleUpdate(request.body, sink);
        return reply(response, 200, { ok: true, outcome });
      } catch (error) {
        if (error instanceof InvalidTelegramUpdateError) {
          logger.warn({ problems: error.problems }, 'webhook body is not a Telegram update');
          return reply(response, 400, { error: error.message });
        }
        logger.error({ err: error }, 'recording a Telegram update failed; Telegram will redeliver');
        return reply(response, 500, { error: 'could not record the update' });
      }
    },
  };
}

function reply(response: ServerResponse, status: number, body: unknown): void {
  response.statusCode = status;
  response.setHeader('content-type', 'application/json; charset=utf-8');
  response.end(JSON.stringify(body));
}
