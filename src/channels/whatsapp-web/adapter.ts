/**
 * The WhatsApp Web channel (unofficial, through whatsapp-web.js): one linked phone, a headless browser.
 * Inbound messages are recorded in order; since WhatsApp Web never redelivers, a failed recording is
 * retried in memory before giving up loudly. Sends are paced conservatively (see WHATSAPP_WEB_PACING).
 */
import type { Config } from '../../config.js';
import type { Logger } from '../../logger.js';
import { maskContactId } from '../../logger.js';
import type { ChannelCapabilities, InboundMessage } from '../../model/index.js';
import { channelLogger } from '../render/index.js';
import {
  type ChannelAdapter,
  type ChannelHealth,
  type ChannelPacing,
  type InboundSink,
  SendError,
  type SendResult,
  type SendTarget,
} from '../types.js';
import { loadWhatsAppWebRuntime, removeStaleBrowserLocks, type WhatsAppWebRuntime } from './client.js';
import { WhatsAppWebConnection } from './connection.js';
import { normalizeWhatsAppWebMessage } from './inbound.js';
import {
  mapWhatsAppWebError,
  renderWhatsAppWebParts,
  WHATSAPP_WEB_LABEL_LIMIT,
  WHATSAPP_WEB_TEXT_LIMIT,
} from './outbound.js';

export const WHATSAPP_WEB_CAPABILITIES: ChannelCapabilities = {
  buttonStyle: 'numbered-text',
  maxButtons: 10,
  maxButtonLabelLength: WHATSAPP_WEB_LABEL_LIMIT,
  maxTextLength: WHATSAPP_WEB_TEXT_LIMIT,
  supportsMedia: true,
  supportsTypingIndicator: false,
};

/**
 * Deliberately slow: WhatsApp bans numbers that send like bots (bursts, many chats at once) and an
 * unofficial client has no throughput allowance to rely on. 1 message/s overall and 3 s between messages
 * to one chat look like a fast human typist.
 */
export const WHATSAPP_WEB_PACING: ChannelPacing = { overallPerSecond: 1, perChatIntervalMs: 3000 };

export interface WhatsAppWebAdapterDeps {
  /** Builds clients; defaults to whatsapp-web.js loaded on start. */
  runtime?: WhatsAppWebRuntime;
  printQr?: (terminalQr: string) => void;
  /** Reconnect backoff (defaults 1 s → 5 min). */
  initialReconnectDelayMs?: number;
  maxReconnectDelayMs?: number;
  /** Delays between attempts to record a message the sink refused (default 1 s, 5 s, 30 s, 2 min, 5 min). */
  acceptRetryDelaysMs?: number[];
  now?: () => Date;
}

export interface WhatsAppWebAdapter extends ChannelAdapter {
  /** The QR code to scan as a PNG data URL, while a scan is needed; null otherwise. */
  currentQrCode(): string | null;
}

/**
 * Builds the adapter (callers do so only when WHATSAPP_WEB_ENABLED=true). whatsapp-web.js and puppeteer are
 * loaded on `start()`, not here.
 */
export function createWhatsAppWebAdapter(
  config: Config,
  logger: Logger,
  deps: WhatsAppWebAdapterDeps = {},
): WhatsAppWebAdapter {
  const log = channelLogger(logger, 'whatsapp-web');
  const now = deps.now ?? (() => new Date());
  const retryDelays = deps.acceptRetryDelaysMs ?? [1000, 5000, 30_000, 120_000, 300_000];
  let runtime: WhatsAppWebRuntime | null = deps.runtime ?? null;
  let connection: WhatsAppWebConnection | null = null;
  let sink: InboundSink | null = null;
  // Messages are recorded one after another so the conversation keeps its order.
  let recording: Promise<void> = Promise.resolve();

  async function record(message: InboundMessage): Promise<void> {
    for (let attempt = 0; ; attempt += 1) {
      const current = sink;
      if (!current) return;
      try {
        await current.accept(message);
        return;
      } catch (error) {
        const delay = retryDelays[attempt];
        if (delay === undefined) {
          log.error(
            { err: error, nativeId: message.nativeId, chat: maskContactId(message.contactNativeId) },
            'inbound message LOST: recording kept failing',
          );
          return;
        }
        log.error(
          { err: error, attempt: attempt + 1, delayMs: delay },
          'recording an inbound message failed; retrying',
        );
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  function onMessage(event: unknown): void {
    const result = normalizeWhatsAppWebMessage(event, now());
    if (result.kind === 'ignored') {
      log.debug({ reason: result.reason }, 'message ignored');
      return;
    }
    recording = recording.then(() => record(result.message));
  }

  function chatIdOf(target: SendTarget): string {
    const fromAddress = target.contact.replyAddress?.chatId;
    return typeof fromAddress === 'string' ? fromAddress : target.contact.channelContactId;
  }

  return {
    name: 'whatsapp-web',
    capabilities: WHATSAPP_WEB_CAPABILITIES,
    pacing: WHATSAPP_WEB_PACING,
    routes: [],

    async start(inboundSink) {
      sink = inboundSink;
      runtime ??= await loadWhatsAppWebRuntime(config);
      connection = new WhatsAppWebConnection({
        runtime,
        logger: log,
        onMessage,
        beforeLaunch: () => removeStaleBrowserLocks(config.WHATSAPP_WEB_SESSION_DIR),
        ...(deps.printQr ? { printQr: deps.printQr } : {}),
        ...(deps.initialReconnectDelayMs !== undefined
          ? { initialDelayMs: deps.initialReconnectDelayMs }
          : {}),
        ...(deps.maxReconnectDelayMs !== undefined ? { maxDelayMs: deps.maxReconnectDelayMs } : {}),
        now: () => now().getTime(),
      });
      connection.start();
    },

    async stop() {
      await connection?.stop();
      connection = null;
      await recording;
      sink = null;
    },

    async send(target, message): Promise<SendResult> {
      const client = connection?.currentClient;
      if (!client || !runtime) throw new SendError('WhatsApp Web is not connected', 'transient', 30_000);
      const chatId = chatIdOf(target);
      const parts = renderWhatsAppWebParts(message);
      let lastId: string | null = null;
      try {
        for (const part of parts) {
          const sent =
            part.kind === 'text'
              ? await client.sendMessage(chatId, part.text, {})
              : await client.sendMessage(
                  chatId,
                  await runtime.loadMedia(part.url),
                  part.caption ? { caption: part.caption } : {},
                );
          const id = (sent as { id?: { _serialized?: unknown } } | null)?.id?._serialized;
          if (typeof id === 'string') lastId = id;
        }
      } catch (error) {
        const mapped = mapWhatsAppWebError(error);
        log.warn({ err: error, chat: maskContactId(chatId), kind: mapped.kind }, 'WhatsApp Web send failed');
        throw mapped;
      }
      return { nativeMessageId: lastId };
    },

    health(): ChannelHealth {
      if (!connection || connection.phase === 'stopped') return { state: 'down', detail: 'stopped' };
      switch (connection.phase) {
        case 'starting':
          return { state: 'starting', detail: 'starting' };
        case 'waiting-for-qr':
          return {
            state: 'starting',
            detail: connection.loggedOut
              ? 'logged out on the phone: waiting for QR scan'
              : 'waiting for QR scan',
          };
        case 'ready':
          return { state: 'ready', detail: 'ready' };
        case 'reconnecting': {
          const seconds = Math.ceil((connection.reconnectInMs ?? 0) / 1000);
          const why = connection.loggedOut ? 'logged out on the phone, new QR scan needed; ' : '';
          return { state: 'degraded', detail: `${why}reconnecting in ${seconds}s` };
        }
      }
    },

    currentQrCode() {
      return connection?.qrCode ?? null;
    },

    deepLink(payload) {
      // wa.me pre-fills a message the person still has to send; the number is the linked phone's.
      const digits = config.WHATSAPP_NUMBER?.replace(/\D/g, '');
      return digits ? `https://wa.me/${digits}?text=${encodeURIComponent(payload)}` : null;
    },
  };
}
