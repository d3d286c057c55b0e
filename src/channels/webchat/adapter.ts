/**
 * The web chat channel: the widget on the brand's site talks to these routes; replies are stored per session
 * (so a reconnect replays what was missed) and pushed over Server-Sent Events.
 */
import type { Config } from '../../config.js';
import type { Logger } from '../../logger.js';
import type { ChannelCapabilities } from '../../model/index.js';
import type { Store } from '../../store/database.js';
import { channelLogger } from '../render/index.js';
import {
  type ChannelAdapter,
  type ChannelPacing,
  type InboundSink,
  SendError,
  type SendResult,
  type SendTarget,
} from '../types.js';
import { WebchatEventStore } from './event-store.js';
import { WebchatLiveHub } from './live-hub.js';
import {
  renderWebchatEvents,
  WEBCHAT_LABEL_LIMIT,
  WEBCHAT_MAX_BUTTONS,
  WEBCHAT_TEXT_LIMIT,
} from './outbound.js';
import { SESSION_ID_PATTERN } from './protocol.js';
import { type RateLimitOptions, SessionRateLimiter } from './rate-limit.js';
import { createWebchatRoutes } from './routes.js';

export const WEBCHAT_CAPABILITIES: ChannelCapabilities = {
  buttonStyle: 'inline',
  maxButtons: WEBCHAT_MAX_BUTTONS,
  maxButtonLabelLength: WEBCHAT_LABEL_LIMIT,
  maxTextLength: WEBCHAT_TEXT_LIMIT,
  supportsMedia: true,
  supportsTypingIndicator: true,
};

/** Our own server: no platform limit; the per-chat gap keeps a burst of replies readable. */
export const WEBCHAT_PACING: ChannelPacing = { overallPerSecond: 200, perChatIntervalMs: 300 };

/** Replies older than this are pruned (a returning visitor sees their transcript from localStorage). */
const RETENTION_MS = 14 * 24 * 3600_000;

export interface WebChatAdapterDeps {
  store: Store;
  now?: () => Date;
  /** Per-session limit of incoming messages (default: bursts of 10, then 1 per second). */
  rateLimit?: RateLimitOptions;
  /** How often open streams look for events written by other instances (default 2000 ms). */
  pollIntervalMs?: number;
  heartbeatMs?: number;
}

export interface WebChatAdapter extends ChannelAdapter {
  /** Open SSE streams in this process. */
  readonly openStreams: number;
}

export function createWebChatAdapter(
  config: Config,
  logger: Logger,
  deps: WebChatAdapterDeps,
): WebChatAdapter {
  const log = channelLogger(logger, 'webchat');
  const now = deps.now ?? (() => new Date());
  const events = new WebchatEventStore(deps.store);
  const hub = new WebchatLiveHub();
  const streams = new Set<() => void>();
  let sink: InboundSink | null = null;
  let pruneTimer: NodeJS.Timeout | null = null;

  const routes = createWebchatRoutes({
    events,
    hub,
    limiter: new SessionRateLimiter(deps.rateLimit ?? { burst: 10, perSecond: 1 }),
    sink: () => sink,
    logger: log,
    now,
    pollIntervalMs: deps.pollIntervalMs ?? 2000,
    heartbeatMs: deps.heartbeatMs ?? 25_000,
    trackStream: (close) => {
      streams.add(close);
      return () => streams.delete(close);
    },
  });

  function sessionOf(target: SendTarget): string {
    const fromAddress = target.contact.replyAddress?.sessionId;
    const sessionId = typeof fromAddress === 'string' ? fromAddress : target.contact.channelContactId;
    if (!SESSION_ID_PATTERN.test(sessionId))
      throw new SendError(`not a web chat session id: "${sessionId.slice(0, 70)}"`, 'permanent');
    return sessionId;
  }

  async function prune(): Promise<void> {
    try {
      const removed = await events.prune(now().getTime() - RETENTION_MS);
      if (removed > 0) log.debug({ removed }, 'pruned old web chat events');
    } catch (error) {
      log.warn({ err: error }, 'pruning web chat events failed');
    }
  }

  return {
    name: 'webchat',
    capabilities: WEBCHAT_CAPABILITIES,
    pacing: WEBCHAT_PACING,
    routes,
    get openStreams() {
      return hub.openStreams;
    },

    async start(inboundSink) {
      sink = inboundSink;
      pruneTimer = setInterval(() => void prune(), 3600_000);
      pruneTimer.unref();
      log.info({ url: `${config.PUBLIC_URL.replace(/\/+$/, '')}/` }, 'web chat ready (demo page and widget)');
    },

    async stop() {
      sink = null;
      if (pruneTimer) clearInterval(pruneTimer);
      for (const close of [...streams]) close();
    },

    async send(target, message): Promise<SendResult> {
      const sessionId = sessionOf(target);
      const at = now().getTime();
      const payloads = renderWebchatEvents(message, at);
      let stored: Awaited<ReturnType<WebchatEventStore['append']>>;
      try {
        stored = await events.append(sessionId, payloads, at);
      } catch (error) {
        log.error({ err: error }, 'storing a web chat reply failed');
        throw new SendError(
          `could not store the reply: ${error instanceof Error ? error.message : String(error)}`,
          'transient',
        );
      }
      hub.publish(sessionId, 'message');
      const last = stored.at(-1);
      return { nativeMessageId: last ? `${sessionId}:${last.seq}` : null };
    },

    async sendTyping(target) {
      try {
        hub.publish(sessionOf(target), 'typing');
      } catch {
        // Typing is a courtesy; an odd session id is reported by send().
      }
    },

    health() {
      return sink
        ? {
            state: 'ready',
            detail: `${hub.openStreams} open ${hub.openStreams === 1 ? 'chat' : 'chats'}`,
          }
        : { state: 'down', detail: 'stopped' };
    },

    deepLink(payload) {
      if (!/^[A-Za-z0-9_-]{1,64}$/.test(payload)) {
        throw new RangeError(
          `web chat start payloads are 1-64 characters of A-Z, a-z, 0-9, _ and -; got "${payload}"`,
        );
      }
      return `${config.PUBLIC_URL.replace(/\/+$/, '')}/?plausch_start=${payload}`;
    },
  };
}
