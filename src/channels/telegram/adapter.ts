/**
 * The Telegram channel: webhook mode when TELEGRAM_WEBHOOK_SECRET is set, long polling otherwise. Uses
 * telegraf's Bot API client (`Telegram`) for every call; inbound handling is our own so that an update is
 * acknowledged only after it was recorded (see webhook.ts and polling.ts for why not telegraf's).
 */
import { Telegram } from 'telegraf';
import type { Config } from '../../config.js';
import type { Logger } from '../../logger.js';
import { maskContactId } from '../../logger.js';
import type { ChannelCapabilities } from '../../model/index.js';
import { downloadLimited, type MediaFetcher, MediaTooLarge } from '../media-download.js';
import { channelLogger } from '../render/index.js';
import type {
  ChannelAdapter,
  ChannelHealth,
  ChannelPacing,
  InboundSink,
  SendResult,
  SendTarget,
  WebhookRoute,
} from '../types.js';
import { START_PAYLOAD_PATTERN } from './inbound.js';
import {
  mapTelegramError,
  renderTelegramCalls,
  TELEGRAM_BUTTON_LABEL_LIMIT,
  TELEGRAM_TEXT_LIMIT,
} from './outbound.js';
import { type BotApiCall, TelegramPoller } from './polling.js';
import { createTelegramUpdateHandler } from './update-handler.js';
import { createTelegramWebhookRoute, TELEGRAM_WEBHOOK_PATH } from './webhook.js';

export const TELEGRAM_CAPABILITIES: ChannelCapabilities = {
  buttonStyle: 'inline',
  maxButtons: 24,
  maxButtonLabelLength: TELEGRAM_BUTTON_LABEL_LIMIT,
  maxTextLength: TELEGRAM_TEXT_LIMIT,
  supportsMedia: true,
  supportsTypingIndicator: true,
};

/** Telegram's FAQ: about 30 messages/s in bulk and about 1 per second to the same chat. */
export const TELEGRAM_PACING: ChannelPacing = { overallPerSecond: 30, perChatIntervalMs: 1000 };

const ALLOWED_UPDATES = ['message', 'callback_query'];

export interface TelegramAdapterDeps {
  /** Seconds a getUpdates call is held open (tests use 1). */
  pollTimeoutSeconds?: number;
  /** First retry delay after failures (tests use a few ms). */
  retryDelayMs?: number;
  now?: () => Date;
}

export interface TelegramAdapter extends ChannelAdapter {
  readonly mode: 'webhook' | 'polling';
  /** The bot's username as configured or reported by getMe; null until known. */
  readonly botUsername: string | null;
}

/** Builds the adapter; throws when TELEGRAM_BOT_TOKEN is not set (callers create it only when it is). */
export function createTelegramAdapter(
  config: Config,
  logger: Logger,
  deps: TelegramAdapterDeps = {},
): TelegramAdapter {
  const token = config.TELEGRAM_BOT_TOKEN;
  if (!token)
    throw new Error('TELEGRAM_BOT_TOKEN is not set: the Telegram channel needs the token BotFather gave you');
  const log = channelLogger(logger, 'telegram');
  const telegram = new Telegram(token, {
    ...(config.TELEGRAM_API_ROOT ? { apiRoot: config.TELEGRAM_API_ROOT } : {}),
    webhookReply: false,
  });
  const callApi: BotApiCall = (method, payload, signal) =>
    telegram.callApi(
      method as 'getMe',
      payload as never,
      (signal ? { signal } : {}) as unknown as Parameters<Telegram['callApi']>[2],
    );

  const secret = config.TELEGRAM_WEBHOOK_SECRET;
  const mode: 'webhook' | 'polling' = secret ? 'webhook' : 'polling';
  let sink: InboundSink | null = null;
  let poller: TelegramPoller | null = null;
  let username: string | null = config.TELEGRAM_BOT_USERNAME?.replace(/^@/, '') ?? null;
  let health: ChannelHealth = { state: 'starting' };
  let webhookRetry: NodeJS.Timeout | null = null;
  let stopped = false;

  const handleUpdate = createTelegramUpdateHandler({
    logger: log,
    answerCallbackQuery: (id) => callApi('answerCallbackQuery', { callback_query_id: id }),
    ...(deps.now ? { now: deps.now } : {}),
  });

  const routes: WebhookRoute[] = secret
    ? [createTelegramWebhookRoute({ secret, handleUpdate, sink: () => sink, logger: log })]
    : [];

  async function learnUsername(): Promise<void> {
    if (username) return;
    try {
      const me = (await callApi('getMe', {})) as { username?: string };
      username = me.username ?? null;
    } catch (error) {
      log.warn(
        { err: error },
        'getMe failed; t.me deep links unavailable until TELEGRAM_BOT_USERNAME is set',
      );
    }
  }

  async function registerWebhook(): Promise<void> {
    const url = `${config.PUBLIC_URL.replace(/\/+$/, '')}${TELEGRAM_WEBHOOK_PATH}`;
    try {
      await callApi('setWebhook', { url, secret_token: secret, allowed_updates: ALLOWED_UPDATES });
      health = { state: 'ready', detail: 'webhook' };
      log.info({ url }, 'Telegram webhook set');
    } catch (error) {
      // Updates still arrive if an earlier setWebhook holds; try again in the background.
      health = {
        state: 'degraded',
        detail: `setWebhook failed: ${error instanceof Error ? error.message : String(error)}`,
      };
      log.error({ err: error, url }, 'setWebhook failed; retrying in 30 s');
      if (!stopped) webhookRetry = setTimeout(() => void registerWebhook(), 30_000);
    }
  }

  const fileRoot = `${(config.TELEGRAM_API_ROOT ?? 'https://api.telegram.org').replace(/\/+$/, '')}/file/bot${token}`;

  /** getFile names the file's path on Telegram's file server; files above 20 MB are not downloadable there. */
  const fetchMedia: MediaFetcher = async (media, maxBytes) => {
    if (media.kind === 'location') throw new Error('a location has no file to download');
    const file = (await callApi('getFile', { file_id: media.ref })) as {
      file_size?: number;
      file_path?: string;
    };
    if (typeof file.file_size === 'number' && file.file_size > maxBytes) throw new MediaTooLarge(maxBytes);
    if (!file.file_path) throw new Error('Telegram gave no file_path for this file (larger than 20 MB?)');
    const fetched = await downloadLimited(`${fileRoot}/${file.file_path}`, maxBytes);
    const fileName = file.file_path.split('/').pop();
    return {
      ...fetched,
      // Telegram's file server answers application/octet-stream; the sender's claim is better than nothing.
      mimeType: media.mimeType ?? fetched.mimeType,
      ...(fileName ? { fileName } : {}),
    };
  };

  function chatIdOf(target: SendTarget): string | number {
    const fromAddress = target.contact.replyAddress?.chatId;
    if (typeof fromAddress === 'number' || typeof fromAddress === 'string') return fromAddress;
    return target.contact.channelContactId;
  }

  return {
    name: 'telegram',
    capabilities: TELEGRAM_CAPABILITIES,
    pacing: TELEGRAM_PACING,
    routes,
    mode,
    get botUsername() {
      return username;
    },
    fetchMedia,

    async start(inboundSink) {
      sink = inboundSink;
      stopped = false;
      await learnUsername();
      if (mode === 'webhook') {
        await registerWebhook();
        return;
      }
      try {
        // A webhook left from an earlier deployment would make getUpdates fail with 409.
        await callApi('deleteWebhook', { drop_pending_updates: false });
      } catch (error) {
        log.warn({ err: error }, 'deleteWebhook failed; polling anyway');
      }
      poller = new TelegramPoller({
        callApi,
        handleUpdate,
        sink: inboundSink,
        logger: log,
        allowedUpdates: ALLOWED_UPDATES,
        ...(deps.pollTimeoutSeconds !== undefined ? { timeoutSeconds: deps.pollTimeoutSeconds } : {}),
        ...(deps.retryDelayMs !== undefined ? { retryDelayMs: deps.retryDelayMs } : {}),
        onStatus: (status) => {
          health = { state: status.state, detail: status.detail ?? 'long polling' };
        },
      });
      poller.start();
      log.info('Telegram long polling started');
    },

    async stop() {
      stopped = true;
      if (webhookRetry) clearTimeout(webhookRetry);
      await poller?.stop();
      poller = null;
      sink = null;
      health = { state: 'down', detail: 'stopped' };
    },

    async send(target, message): Promise<SendResult> {
      const chatId = chatIdOf(target);
      const calls = renderTelegramCalls(message);
      let lastId: string | null = null;
      for (const call of calls) {
        try {
          const result = (await callApi(call.method, { chat_id: chatId, ...call.payload })) as {
            message_id?: number;
          };
          lastId = result?.message_id !== undefined ? String(result.message_id) : lastId;
        } catch (error) {
          const mapped = mapTelegramError(error);
          log.warn(
            { chat: maskContactId(String(chatId)), method: call.method, kind: mapped.kind, err: error },
            'Telegram send failed',
          );
          throw mapped;
        }
      }
      return { nativeMessageId: lastId };
    },

    async sendTyping(target) {
      try {
        await callApi('sendChatAction', { chat_id: chatIdOf(target), action: 'typing' });
      } catch (error) {
        log.debug({ err: error }, 'sendChatAction failed');
      }
    },

    health() {
      return health;
    },

    deepLink(payload) {
      if (!START_PAYLOAD_PATTERN.test(payload)) {
        throw new RangeError(
          `Telegram start payloads are 1-64 characters of A-Z, a-z, 0-9, _ and -; got "${payload}"`,
        );
      }
      return username ? `https://t.me/${username}?start=${payload}` : null;
    },
  };
}
