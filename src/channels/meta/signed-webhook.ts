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
      if (request.body === undefined) {
        logger.warn({ path, bytes: request.rawBody.length }, 'Meta webhook rejected: body is not JSON');
        writeJson(response, 400, { error: 'body must be JSON' });
        return;
      }
      const parsed = schema.safeParse(request.body);
      if (!parsed.success) {
        // Paths and messages only: the values may hold customers' texts and numbers.
        const issues = parsed.error.issues
          .slice(0, 5)
          .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
        logger.warn({ path, issues }, 'Meta webhook rejected: unexpected payload shape');
        writeJson(response, 400, { error: 'unexpected payload shape', issues });
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
