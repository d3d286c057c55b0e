/**
 * Mounts channel webhook routes on express. Each route gets the exact request bytes (signatures are computed
 * over them) and, for JSON, the parsed body. Body size is capped; a broken JSON body reaches the handler as
 * `body: undefined` so the adapter answers 400 in its own words.
 */
import express, { type Request, type Response, type Router } from 'express';
import type { WebhookRequest, WebhookRoute } from '../channels/types.js';
import type { Logger } from '../logger.js';
import { requestIdOf } from './access-log.js';

const MAX_WEBHOOK_BODY = '1mb';
/**
 * No platform nests its payloads deeper than ~15 levels. A body nested thousands deep parses, but later
 * overflows the stack in JSON.stringify (storing the raw event), so it is treated like a body that is not JSON.
 */
export const MAX_WEBHOOK_JSON_DEPTH = 64;

export function createWebhookRouter(routes: readonly WebhookRoute[], logger: Logger): Router {
  const router = express.Router();
  const raw = express.raw({ type: () => true, limit: MAX_WEBHOOK_BODY });
  for (const route of routes) {
    const handler = async (req: Request, res: Response) => {
      const rawBody = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const webhookRequest = req as unknown as WebhookRequest;
      Object.defineProperty(webhookRequest, 'rawBody', { value: rawBody, configurable: true });
      Object.defineProperty(webhookRequest, 'body', {
        value: parseJsonBody(req, rawBody),
        configurable: true,
        writable: true,
      });
      Object.defineProperty(webhookRequest, 'query', { value: flattenQuery(req.query), configurable: true });
      try {
        await route.handle(webhookRequest, res);
      } catch (error) {
        logger.error({ err: error, path: route.path }, 'webhook handler failed');
        // 5xx: the platform delivers it again; the id finds this failure in the log.
        if (!res.headersSent) res.status(500).json({ error: 'internal error', requestId: requestIdOf(res) });
      }
    };
    if (route.method === 'GET') router.get(route.path, raw, handler);
    else router.post(route.path, raw, handler);
  }
  return router;
}

function parseJsonBody(req: Request, rawBody: Buffer): unknown {
  const type = req.headers['content-type'] ?? '';
  if (!type.includes('json') || rawBody.length === 0) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(rawBody.toString('utf8'));
  } catch {
    return undefined;
  }
  return jsonDepthExceeds(value, MAX_WEBHOOK_JSON_DEPTH) ? undefined : value;
}

/** True when `value` nests objects/arrays deeper than `limit`; iterative, so it cannot overflow itself. */
export function jsonDepthExceeds(value: unknown, limit: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop() as [unknown, number];
    if (current === null || typeof current !== 'object') continue;
    if (depth > limit) return true;
    for (const child of Object.values(current)) {
      if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
    }
  }
  return false;
}

function flattenQuery(query: Request['query']): Record<string, string | undefined> {
  const flat: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(query)) {
    flat[key] = typeof value === 'string' ? value : Array.isArray(value) ? String(value[0]) : undefined;
  }
  return flat;
}
