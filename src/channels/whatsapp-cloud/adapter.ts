/**
 * The WhatsApp Cloud API channel: webhook routes (handshake + signed POST), sending through the Graph API,
 * capabilities, pacing and wa.me deep links. Enabled when WHATSAPP_CLOUD_TOKEN is set.
 */
import { z } from 'zod';
import type { Config } from '../../config.js';
import { type Logger, maskContactId } from '../../logger.js';
import type { ChannelCapabilities, OutboundMessage } from '../../model/index.js';
import { GraphApiClient, GraphApiError } from '../meta/graph-client.js';
import { createSignedWebhookRoute } from '../meta/signed-webhook.js';
import { createVerifyHandshakeRoute } from '../meta/verify-handshake.js';
import { isWithinCustomerServiceWindow } from '../meta/window.js';
import {
  type ChannelAdapter,
  type ChannelHealth,
  type ChannelPacing,
  type InboundSink,
  SendError,
  type SendResult,
  type SendTarget,
} from '../types.js';
import { toWhatsAppSendError, WHATSAPP_AUTH_CODES } from './errors.js';
import { normalizeWhatsAppWebhook } from './inbound.js';
import {
  hasFreeFormContent,
  renderWhatsAppMessage,
  renderWhatsAppTemplate,
  type WhatsAppMessageBody,
} from './outbound.js';
import { type WhatsAppWebhook, whatsAppWebhookSchema } from './payload.js';

export const WHATSAPP_CLOUD_CAPABILITIES: ChannelCapabilities = {
  buttonStyle: 'inline',
  // Up to 3 reply buttons, up to 10 as an interactive list.
  maxButtons: 10,
  maxButtonLabelLength: 20,
  maxTextLength: 4096,
  supportsMedia: true,
  supportsTypingIndicator: false,
  customerServiceWindowHours: 24,
};

/**
 * 80 messages/s per business number (Meta's default tier), received messages included; about one per
 * second to the same person.
 */
export const WHATSAPP_CLOUD_PACING: ChannelPacing = {
  overallPerSecond: 80,
  perChatIntervalMs: 1_000,
  countsInbound: true,
};

export const WHATSAPP_WEBHOOK_PATH = '/webhooks/whatsapp';

const sendAnswerSchema = z.object({ messages: z.array(z.object({ id: z.string() })) });

export interface WhatsAppCloudDeps {
  fetch?: typeof fetch;
  now?: () => Date;
  /** Graph API request timeout (default 15 s). */
  timeoutMs?: number;
}

export function isWhatsAppCloudEnabled(config: Config): boolean {
  return Boolean(config.WHATSAPP_CLOUD_TOKEN);
}

/** The adapter, or null when WHATSAPP_CLOUD_TOKEN is not set. */
export function createWhatsAppCloudAdapter(
  config: Config,
  logger: Logger,
  deps: WhatsAppCloudDeps = {},
): ChannelAdapter | null {
  if (!config.WHATSAPP_CLOUD_TOKEN) return null;
  const {
    META_APP_SECRET: appSecret,
    META_VERIFY_TOKEN: verifyToken,
    WHATSAPP_CLOUD_PHONE_NUMBER_ID: phoneNumberId,
  } = config;
  if (!appSecret || !verifyToken || !phoneNumberId) {
    throw new Error(
      'WhatsApp Cloud needs META_APP_SECRET, META_VERIFY_TOKEN and WHATSAPP_CLOUD_PHONE_NUMBER_ID next to WHATSAPP_CLOUD_TOKEN',
    );
  }
  const log = logger.child({ channel: 'whatsapp-cloud' });
  const now = deps.now ?? (() => new Date());
  const graph = new GraphApiClient({
    root: config.META_GRAPH_API_ROOT,
    version: config.META_GRAPH_API_VERSION,
    accessToken: config.WHATSAPP_CLOUD_TOKEN,
    tokenPlacement: 'bearer',
    appSecret,
    ...(deps.timeoutMs ? { timeoutMs: deps.timeoutMs } : {}),
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
  });
  let sink: InboundSink | null = null;
  let health: ChannelHealth = { state: 'starting', detail: 'not started' };

  async function record(payload: WhatsAppWebhook): Promise<void> {
    const current = sink;
    if (!current) throw new Error('WhatsApp Cloud adapter is not started');
    const { messages, reports, skipped } = normalizeWhatsAppWebhook(payload);
    // One after another: a person's messages must reach the inbox in the order they were written.
    for (const message of messages) {
      const outcome = await current.accept(message);
      log.debug(
        { nativeId: message.nativeId, from: maskContactId(message.contactNativeId), outcome },
        'inbound',
      );
    }
    for (const report of reports) await current.acceptDeliveryReport(report);
    if (skipped.length > 0) log.debug({ skipped }, 'webhook events not handed on');
  }

  async function post(to: string, body: WhatsAppMessageBody): Promise<string | null> {
    const answer = await graph.post(`/${phoneNumberId}/messages`, {
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to,
      ...body,
    });
    return messageIdOf(answer);
  }

  function noteFailure(error: unknown): void {
    if (error instanceof GraphApiError && error.code !== null && WHATSAPP_AUTH_CODES.has(error.code)) {
      health = { state: 'degraded', detail: `access token rejected (code ${error.code})` };
      log.error({ code: error.code }, 'WhatsApp Cloud rejected the access token; check WHATSAPP_CLOUD_TOKEN');
    }
  }

  async function send(target: SendTarget, message: OutboundMessage): Promise<SendResult> {
    const to = target.contact.channelContactId.replace(/^\+/, '');
    const windowOpen = isWithinCustomerServiceWindow(target.contact, now());
    const useTemplate = Boolean(message.template) && (!windowOpen || !hasFreeFormContent(message));
    let bodies: WhatsAppMessageBody[];
    try {
      bodies =
        useTemplate && message.template
          ? [renderWhatsAppTemplate(message.template)]
          : renderWhatsAppMessage(message, { locale: target.contact.locale });
    } catch (error) {
      throw new SendError(`WhatsApp message cannot be rendered: ${(error as Error).message}`, 'permanent');
    }
    let lastId: string | null = null;
    for (const [index, body] of bodies.entries()) {
      try {
        lastId = (await post(to, body)) ?? lastId;
      } catch (error) {
        noteFailure(error);
        const sendError = toWhatsAppSendError(error);
        // Our idea of the window can be off (a message we have not seen yet); Meta's word counts.
        if (sendError.kind === 'window-closed' && index === 0 && message.template && !useTemplate) {
          log.info({ to: maskContactId(to) }, 'window closed; sending the template instead');
          try {
            return { nativeMessageId: await post(to, renderWhatsAppTemplate(message.template)) };
          } catch (templateError) {
            noteFailure(templateError);
            throw toWhatsAppSendError(templateError);
          }
        }
        log.warn(
          {
            to: maskContactId(to),
            kind: sendError.kind,
            part: index + 1,
            parts: bodies.length,
            err: sendError.message,
          },
          'WhatsApp send failed',
        );
        throw sendError;
      }
    }
    if (health.state !== 'ready') health = { state: 'ready' };
    return { nativeMessageId: lastId };
  }

  return {
    name: 'whatsapp-cloud',
    capabilities: WHATSAPP_CLOUD_CAPABILITIES,
    pacing: WHATSAPP_CLOUD_PACING,
    routes: [
      createVerifyHandshakeRoute(WHATSAPP_WEBHOOK_PATH, verifyToken, log),
      createSignedWebhookRoute({
        path: WHATSAPP_WEBHOOK_PATH,
        appSecret,
        schema: whatsAppWebhookSchema,
        logger: log,
        record,
        isReady: () => sink !== null,
        deadLetter: async (reason, rawBody) => {
          if (!sink?.reject) return false;
          await sink.reject({ channel: 'whatsapp-cloud', reason, payload: rawBody });
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
    health: () => health,
    deepLink(payload) {
      const digits = config.WHATSAPP_NUMBER?.replace(/\D/g, '');
      if (!digits) return null;
      return `https://wa.me/${digits}?text=${encodeURIComponent(payload)}`;
    },
  };
}

/** The id in `{messages:[{id}]}`; the send happened even when the answer looks odd, so no throw. */
function messageIdOf(answer: unknown): string | null {
  const parsed = sendAnswerSchema.safeParse(answer);
  return parsed.success ? (parsed.data.messages[0]?.id ?? null) : null;
}
