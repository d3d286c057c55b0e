/**
 * Meta's webhook subscription handshake (`GET ?hub.mode=subscribe&hub.verify_token=…&hub.challenge=…`):
 * answer the challenge as plain text when the token matches, 403 otherwise.
 */
import { timingSafeEqual } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { Logger } from '../../logger.js';
import type { WebhookRoute } from '../types.js';

export type HandshakeAnswer = { status: 200; challenge: string } | { status: 403; reason: string };

/** Decides the handshake from the query alone, so it is testable without HTTP. */
export function answerVerifyHandshake(
  query: Record<string, string | undefined>,
  verifyToken: string,
): HandshakeAnswer {
  if (query['hub.mode'] !== 'subscribe') return { status: 403, reason: 'hub.mode is not subscribe' };
  const token = query['hub.verify_token'] ?? '';
  if (!sameSecret(token, verifyToken)) return { status: 403, reason: 'verify token does not match' };
  const challenge = query['hub.challenge'];
  if (!challenge) return { status: 403, reason: 'hub.challenge missing' };
  return { status: 200, challenge };
}

export function createVerifyHandshakeRoute(path: string, verifyToken: string, logger: Logger): WebhookRoute {
  return {
    method: 'GET',
    path,
    async handle(request, response) {
      const answer = answerVerifyHandshake(request.query, verifyToken);
      if (answer.status === 200) {
        logger.info({ path }, 'Meta webhook subscription verified');
        writePlain(response, 200, answer.challenge);
      } else {
        logger.warn({ path, reason: answer.reason }, 'Meta webhook verification refused');
        writePlain(response, 403, 'Forbidden');
      }
    },
  };
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function writePlain(response: ServerResponse, status: number, text: string): void {
  response.statusCode = status;
  response.setHeader('content-type', 'text/plain; charset=utf-8');
  response.end(text);
}

export function writeJson(response: ServerResponse, status: number, body: unknown): void {
  response.statusCode = status;
  response.setHeader('content-type', 'application/json; charset=utf-8');
  response.end(JSON.stringify(body));
}
