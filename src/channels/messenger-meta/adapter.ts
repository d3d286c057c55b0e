/**
 * The Messenger Platform channel (Meta's native webhooks and Send API): webhook routes, sending with the
 * right `messaging_type`, typing indicator, capabilities, pacing and m.me deep links. Enabled when
 * MESSENGER_PAGE_TOKEN is set.
 */
import { z } from 'zod';
import type { Config } from '../../config.js';
import { type Logger, maskContactId } from '../../logger.js';
import type { ChannelCapabilities, OutboundMessage } from '../../model/index.js';
import { GraphApiClient, GraphApiError } from '../meta/graph-client.js';
import { createSignedWebhookRoute } from '../meta/signed-webhook.js';
import { createVerifyHandshakeRoute } from '../meta/verify-handshake.js';
import {
  type ChannelAdapter,
  type ChannelHealth,
  type ChannelPacing,
  type InboundSink,
  SendError,
  type SendResult,
  type SendTarget,
} from '../types.js';
import { MESSENGER_AUTH_CODES, toMessengerSendError } from './errors.js';
import { normalizeMessengerWebhook } from './inbound.js';
import { type MessengerMessageBody, renderMessengerMessage } from './outbound.js';
import { type MessengerWebhook, messengerWebhookSchema } from './payload.js';

export const MESSENGER_CAPABILITIES: ChannelCapabilities = {
  buttonStyle: 'quick-replies',
  maxButtons: 13,
  maxButtonLabelLength: 20,
  maxTextLength: 2000,
  supportsMedia: true,
  supportsTypingIndicator: true,
  customerServiceWindowHours: 24,
};

/** The Send API allows ~300 calls/s per Page; we stay below, and about one per second to the same person. */
export const MESSENGER_PACING: ChannelPacing = { overallPerSecond: 250, perChatIntervalMs: 1_000 };

export const MESSENGER_WEBHOOK_PATH = '/webhooks/messenger';
export const DEFAULT_GET_STARTED_PAYLOAD = 'GET_STARTED';

/** A message sent within this long after the person's last message counts as a `RESPONSE`. */
const RESPONSE_WINDOW_MS = 15 * 60_000;

const sendAnswerSchema = z.object({ message_id: z.string() });

export interface MessengerMetaDeps {
  fetch?: typeof fetch;
  now?: () => Date;
  timeoutMs?: number;
  /** The payload the Page's Get Started button is configured with (default `GET_STARTED`). */
  getStartedPayload?: string;
}

export function isMessengerMetaEnabled(config: Config): boolean {
  return Boolean(config.MESSENGER_PAGE_TOKEN);
}

/** The adapter, or null when MESSENGER_PAGE_TOKEN is not set. */
export function createMessengerMetaAdapter(
  config: Config,
  logger: Logger,
  deps: MessengerMetaDeps = {},
): ChannelAdapter | null {
  if (!config.MESSENGER_PAGE_TOKEN) return null;
  const { META_APP_SECRET: appSecret, META_VERIFY_TOKEN: verifyToken } = config;
  if (!appSecret || !verifyToken) {
    throw new Error('Messenger needs META_APP_SECRET and META_VERIFY_TOKEN next to MESSENGER_PAGE_TOKEN');
  }
  const log = logger.child({ channel: 'messenger-meta' });
  const now = deps.now ?? (() => new Date());
  const getStartedPayload = deps.getStartedPayload ?? DEFAULT_GET_STARTED_PAYLOAD;
  const graph = new GraphApiClient({
    root: config.META_GRAPH_API_ROOT,
    version: config.META_GRAPH_API_VERSION,
    accessToken: config.MESSENGER_PAGE_TOKEN,
    tokenPlacement: 'query',
    appSecret,
    ...(deps.timeoutMs ? { timeoutMs: deps.timeoutMs } : {}),
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
  });
  let sink: InboundSink | null = null;
  let health: ChannelHealth = { state: 'starting', detail: 'not started' };

  async function record(payload: MessengerWebhook): Promise<void> {
    const current = sink;
    if (!current) throw new Error('Messenger adapter is not started');
    const { messages, reports, watermarks, skipped } = normalizeMessengerWebhook(payload, {
      getStartedPayload,
    });
    for (const message of messages) {
      const outcome = await current.accept(message);
      log.debug(
        { nativeId: message.nativeId, from: maskContactId(message.contactNativeId), outcome },
        'inbound',
      );
    }
    for (const report of reports) await current.acceptDeliveryReport(report);
    if (current.acceptDeliveryWatermark) {
      for (const watermark of watermarks) await current.acceptDeliveryWatermark(watermark);
    } else if (watermarks.length > 0) {
      log.debug({ count: watermarks.length }, 'delivery/read watermarks ignored: the sink takes none');
    }
    if (skipped.length > 0)
      log.debug({ skipped: skipped.map((s) => s.kind) }, 'webhook events not handed on');
  }

  function noteFailure(error: unknown): void {
    if (error instanceof GraphApiError && error.code !== null && MESSENGER_AUTH_CODES.has(error.code)) {
      health = { state: 'degraded', detail: `page token rejected (code ${error.code})` };
      log.error({ code: error.code }, 'Messenger rejected the page token; check MESSENGER_PAGE_TOKEN');
    }
  }

  /** RESPONSE right after the person wrote, UPDATE for proactive sends inside the window, tags outside it. */
  function messagingType(target: SendTarget, message: OutboundMessage): Record<string, string> {
    if (message.tag) return { messaging_type: 'MESSAGE_TAG', tag: message.tag };
    const last = target.contact.lastInboundAt;
    const recent = last !== null && now().getTime() - last.getTime() < RESPONSE_WINDOW_MS;
    return { messaging_type: recent && target.conversationId ? 'RESPONSE' : 'UPDATE' };
  }

  async function send(target: SendTarget, message: OutboundMessage): Promise<SendResult> {
    const psid = target.contact.channelContactId;
    let bodies: MessengerMessageBody[];
    try {
      bodies = renderMessengerMessage(message, { locale: target.contact.locale });
    } catch (error) {
      throw new SendError(`Messenger message cannot be rendered: ${(error as Error).message}`, 'permanent');
    }
    const envelope = messagingType(target, message);
    let lastId: string | null = null;
    for (const [index, body] of bodies.entries()) {
      try {
        const answer = await graph.post('/me/messages', {
          recipient: { id: psid },
          ...envelope,
          message: body,
        });
        const parsed = sendAnswerSchema.safeParse(answer);
        if (parsed.success) lastId = parsed.data.message_id;
      } catch (error) {
        noteFailure(error);
        const sendError = toMessengerSendError(error);
        log.warn(
          {
            to: maskContactId(psid),
            kind: sendError.kind,
            part: index + 1,
            parts: bodies.length,
            err: sendError.message,
          },
          'Messenger send failed',
        );
        throw sendError;
      }
    }
    if (health.state !== 'ready') health = { state: 'ready' };
    return { nativeMessageId: lastId };
  }

  return {
    name: 'messenger-meta',
    capabilities: MESSENGER_CAPABILITIES,
    pacing: MESSENGER_PACING,
    routes: [
      createVerifyHandshakeRoute(MESSENGER_WEBHOOK_PATH, verifyToken, log),
      createSignedWebhookRoute({
        path: MESSENGER_WEBHOOK_PATH,
        appSecret,
        schema: messengerWebhookSchema,
        logger: log,
        record,
        isReady: () => sink !== null,
        deadLetter: async (reason, rawBody) => {
          if (!sink?.reject) return false;
          await sink.reject({ channel: 'messenger-meta', reason, payload: rawBody });
          return true;
        },
      }),
    ],
    async start(inboundSink) {
      sink = inboundSink;
      health = { state: 'ready' };
    },
    async stop() {
      sink = null;
      health = { state: 'starting', detail: 'stopped' };
    },
    send,
    async sendTyping(target) {
      try {
        await graph.post('/me/messages', {
          recipient: { id: target.contact.channelContactId },
          sender_action: 'typing_on',
        });
      } catch (error) {
        log.debug({ err: (error as Error).message }, 'typing indicator not shown');
      }
    },
    health: () => health,
    deepLink(payload) {
      const page = config.MESSENGER_PAGE_NAME?.trim();
      if (!page) return null;
      return `https://m.me/${encodeURIComponent(page)}?ref=${encodeURIComponent(payload)}`;
    },
  };
}
