/**
 * The POST half of a Meta webhook (WhatsApp Cloud, Messenger): signature over the raw bytes, zod shape,
 * then the channel's `record` step. Answers 200 only once everything in the body was durably recorded and
 * 500 when recording failed, so Meta redelivers (the inbox dedupes on the native id, so that is safe).
 */
import type { z } from 'zod';
import type { Logger } from '../../logger.js';
import type { WebhookRoute } from '../types.js';
import { META_SIGNATURE_HEADER, verifyMetaSignature } from './signature.js';
import { writeJson } from './verify-handshake.js';

export interface SignedWebhookOptions<Payload> {
  path: string;
  appSecret: string;
  schema: z.ZodType<Payload>;
  logger: Logger;
  /** Records everything in the payload; resolves once durable, rejects if anything could not be recorded. */
  record(payload: Payload): Promise<void>;
  /** False until the adapter was started (no sink yet): answer 503 so Meta retries later. */
  isReady(): boolean;
  /**
   * Writes a signed body that can never be processed (not JSON, nested too deep, unexpected shape) to the
   * dead-letter table; false when there is no such table (tests). Meta redelivers anything but a 200 for
   * days, so a signed body that was kept is answered 200.
   */
  deadLetter?(reason: string, rawBody: Buffer): Promise<boolean>;
}

export function createSignedWebhookRoute<Payload>(options: SignedWebhookOptions<Payload>): WebhookRoute {
  const { path, appSecret, schema, logger } = options;
  return {
    method: 'POST',
    path,
    async handle(request, response) {
      const verdict = verifyMetaSignature(request.rawBody, request.headers[META_SIGNATURE_HEADER], appSecret);
      if (verdict !== 'valid') {
        logger.warn({ path, verdict, bytes: request.rawBody.length }, 'Meta webhook rejected: signature');
        writeJson(response, verdict === 'missing' ? 401 : 403, {
          error: verdict === 'missing' ? 'X-Hub-Signature-256 header missing' : 'signature does not match',
        });
        return;
      }
      const refuse = async (reason: string, body: Record<string, unknown>) => {
        let kept = false;
        try {
          kept = options.isReady() && ((await options.deadLetter?.(reason, request.rawBody)) ?? false);
        } catch (error) {
          logger.error({ err: error, path }, 'Meta webhook dead letter not recorded; Meta will redeliver');
          writeJson(response, 500, { error: 'not recorded, please retry' });
          return;
        }
        writeJson(response, kept ? 200 : 400, kept ? { ok: true, rejected: reason } : body);
      };
      if (request.body === undefined) {
        logger.warn({ path, bytes: request.rawBody.length }, 'Meta webhook rejected: body is not JSON');
        await refuse('body is not JSON (or nested deeper than the limit)', { error: 'body must be JSON' });
        return;
      }
      const parsed = schema.safeParse(request.body);
      if (!parsed.success) {
        // Paths and messages only: the values may hold customers' texts and numbers.
        const issues = parsed.error.issues
          .slice(0, 5)
          .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
        logger.warn({ path, issues }, 'Meta webhook rejected: unexpected payload shape');
        await refuse(`unexpected payload shape: ${issues.join('; ')}`, {
          error: 'unexpected payload shape',
          issues,
        });
        return;
      }
      if (!options.isReady()) {
        logger.warn({ path }, 'Meta webhook arrived before the channel was started');
        writeJson(response, 503, { error: 'channel not started' });
        return;
      }
      try {
        await options.record(parsed.data);
      } catch (error) {
        logger.error({ err: error, path }, 'Meta webhook could not be recorded; Meta will redeliver');
        writeJson(response, 500, { error: 'not recorded, please retry' });
        return;
      }
      writeJson(response, 200, { ok: true });
    },
  };
}
