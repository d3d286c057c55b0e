/**
 * The web chat's HTTP side: the widget script, the demo page, POST /webchat/messages (validated,
 * rate-limited, recorded before answering) and GET /webchat/events (Server-Sent Events with replay after
 * Last-Event-ID). Mounted by the lead's webhook router, which gives us the raw body.
 */
import type { ServerResponse } from 'node:http';
import type { Logger } from '../../logger.js';
import type { InboundSink, WebhookRequest, WebhookRoute } from '../types.js';
import { DEMO_PAGE_HTML } from './demo-page.js';
import type { StoredWebchatEvent, WebchatEventStore } from './event-store.js';
import { webchatPostToInbound } from './inbound.js';
import type { WebchatLiveHub } from './live-hub.js';
import { SESSION_ID_PATTERN, webchatPostSchema } from './protocol.js';
import type { SessionRateLimiter } from './rate-limit.js';
import { WIDGET_SCRIPT } from './widget-script.js';

export interface WebchatRouteOptions {
  events: WebchatEventStore;
  hub: WebchatLiveHub;
  limiter: SessionRateLimiter;
  sink: () => InboundSink | null;
  logger: Logger;
  now: () => Date;
  /** How often an open stream checks the store for events written by other instances (ms). */
  pollIntervalMs: number;
  heartbeatMs: number;
  /** Called with a cleanup function for each open stream, so stop() can close them. */
  trackStream: (close: () => void) => () => void;
}

/** The widget may be embedded on the brand's own site; sessions are not cookies, so any origin may talk. */
const CORS = { 'access-control-allow-origin': '*' };

export function createWebchatRoutes(options: WebchatRouteOptions): WebhookRoute[] {
  return [
    {
      method: 'GET',
      path: '/webchat/widget.js',
      async handle(_request, response) {
        response.writeHead(200, {
          'content-type': 'application/javascript; charset=utf-8',
          'cache-control': 'public, max-age=300',
          'x-content-type-options': 'nosniff',
          ...CORS,
        });
        response.end(WIDGET_SCRIPT);
      },
    },
    {
      method: 'GET',
      path: '/',
      async handle(_request, response) {
        response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache' });
        response.end(DEMO_PAGE_HTML);
      },
    },
    { method: 'POST', path: '/webchat/messages', handle: (req, res) => handlePost(options, req, res) },
    { method: 'GET', path: '/webchat/events', handle: (req, res) => handleEvents(options, req, res) },
  ];
}

async function handlePost(
  options: WebchatRouteOptions,
  request: WebhookRequest,
  response: ServerResponse,
): Promise<void> {
  // The widget posts text/plain (no CORS preflight), so the JSON is parsed here from the raw bytes.
  let body: unknown = request.body;
  if (body === undefined) {
    try {
      body = JSON.parse(request.rawBody.toString('utf8'));
    } catch {
      return json(response, 400, {
        error: 'body must be JSON: { sessionId, messageId, text?, payload?, start? }',
      });
    }
  }
  const parsed = webchatPostSchema.safeParse(body);
  if (!parsed.success) {
    return json(response, 400, {
      error: 'invalid message',
      problems: parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`),
    });
  }
  const post = parsed.data;
  const wait = options.limiter.take(post.sessionId, options.now().getTime());
  if (wait > 0) {
    response.setHeader('retry-after', String(Math.ceil(wait / 1000)));
    return json(response, 429, { error: 'too many messages; slow down' });
  }
  const sink = options.sink();
  if (!sink) return json(response, 503, { error: 'web chat is not started' });
  try {
    const outcome = await sink.accept(webchatPostToInbound(post, options.now()));
    // Kept in the dead-letter table but never processed: 422 tells the widget not to retry it.
    if (outcome === 'rejected') return json(response, 422, { status: outcome, error: 'message refused' });
    return json(response, 202, { status: outcome });
  } catch (error) {
    options.logger.error({ err: error }, 'recording a web chat message failed');
    // The widget retries with the same messageId; the dedupe makes that safe.
    return json(response, 500, { error: 'could not record the message; retry' });
  }
}

async function handleEvents(
  options: WebchatRouteOptions,
  request: WebhookRequest,
  response: ServerResponse,
): Promise<void> {
  const sessionId = request.query.session ?? '';
  if (!SESSION_ID_PATTERN.test(sessionId)) {
    return json(response, 400, { error: 'session must be 16-64 characters of A-Z, a-z, 0-9, _ and -' });
  }
  // EventSource sends Last-Event-ID on its own reconnects; a reloaded page passes ?lastEventId= instead.
  const header = request.headers['last-event-id'];
  const resumeFrom = parseEventId(typeof header === 'string' ? header : request.query.lastEventId);
  if (resumeFrom === null)
    return json(response, 400, { error: 'Last-Event-ID must be a non-negative integer' });

  response.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    // nginx would otherwise buffer the stream.
    'x-accel-buffering': 'no',
    ...CORS,
  });
  response.write('retry: 3000\n\n');

  let lastSeq = resumeFrom;
  let closed = false;
  let flushing = false;
  let flushAgain = false;

  const write = (event: StoredWebchatEvent) => {
    response.write(`id: ${event.seq}\ndata: ${JSON.stringify(event.payload)}\n\n`);
  };
  // One flush at a time; a signal during a flush triggers another round so nothing is missed or doubled.
  const flush = async (): Promise<void> => {
    if (closed) return;
    if (flushing) {
      flushAgain = true;
      return;
    }
    flushing = true;
    try {
      do {
        flushAgain = false;
        const batch = await options.events.since(sessionId, lastSeq, 100);
        for (const event of batch) {
          if (closed) return;
          write(event);
          lastSeq = event.seq;
        }
        if (batch.length === 100) flushAgain = true;
      } while (flushAgain && !closed);
    } catch (error) {
      options.logger.error({ err: error }, 'reading web chat events failed');
    } finally {
      flushing = false;
    }
  };

  const unsubscribe = options.hub.subscribe(sessionId, (signal) => {
    if (signal === 'typing') response.write('event: typing\ndata: {}\n\n');
    else void flush();
  });
  const poll = setInterval(() => void flush(), options.pollIntervalMs);
  const heartbeat = setInterval(() => response.write(': ping\n\n'), options.heartbeatMs);
  const cleanup = () => {
    if (closed) return;
    closed = true;
    unsubscribe();
    clearInterval(poll);
    clearInterval(heartbeat);
    untrack();
    if (!response.writableEnded) response.end();
  };
  const untrack = options.trackStream(cleanup);
  request.on('close', cleanup);
  response.on('error', cleanup);
  await flush();
}

function parseEventId(value: string | undefined): number | null {
  if (value === undefined || value === '') return 0;
  if (!/^\d{1,15}$/.test(value)) return null;
  return Number(value);
}

function json(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...CORS });
  response.end(JSON.stringify(body));
}
