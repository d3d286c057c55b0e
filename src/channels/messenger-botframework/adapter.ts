/**
 * Messenger (and other channels) through Azure Bot Framework: `POST /api/messages` processed by botbuilder's
 * CloudAdapter, every turn's conversation reference stored as the contact's `replyAddress`, and every send
 * made proactively with `continueConversationAsync` (replies go through the outbox, after the turn ended).
 * Enabled by BOTFRAMEWORK_ENABLED=true.
 */
import type { ServerResponse } from 'node:http';
import {
  type Activity,
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  type ConversationReference,
  type TurnContext,
  TurnContext as TurnContextClass,
} from 'botbuilder';
import { z } from 'zod';
import type { Config } from '../../config.js';
import { type Logger, maskContactId } from '../../logger.js';
import type { ChannelCapabilities, OutboundMessage } from '../../model/index.js';
import type { LookupAll } from '../../net/address-guard.js';
import { writeJson } from '../meta/verify-handshake.js';
import {
  type ChannelAdapter,
  type ChannelHealth,
  type ChannelPacing,
  type InboundSink,
  SendError,
  type SendResult,
  type SendTarget,
  type WebhookRequest,
  type WebhookRoute,
} from '../types.js';
import { toBotFrameworkSendError } from './errors.js';
import { activitySchema, normalizeActivity } from './inbound.js';
import { renderBotFrameworkActivities } from './outbound.js';
import { createServiceUrlGuard, ServiceUrlNotAllowedError } from './service-url-guard.js';

/**
 * Capabilities are per adapter, not per conversation: this adapter exists for Messenger, so it declares
 * Messenger's 24-hour window. Deployments that use it only for channels without a window (Teams, Web Chat)
 * pass `customerServiceWindowHours: null`.
 */
export const BOTFRAMEWORK_CAPABILITIES: ChannelCapabilities = {
  buttonStyle: 'quick-replies',
  maxButtons: 10,
  maxButtonLabelLength: 20,
  maxTextLength: 2000,
  supportsMedia: true,
  supportsTypingIndicator: true,
  customerServiceWindowHours: 24,
};

export const BOTFRAMEWORK_PACING: ChannelPacing = { overallPerSecond: 250, perChatIntervalMs: 1_000 };

export const BOTFRAMEWORK_MESSAGES_PATH = '/api/messages';

/** What we need of a stored conversation reference to reach the person again. */
const conversationReferenceSchema = z.looseObject({
  channelId: z.string().min(1),
  serviceUrl: z.string().min(1),
  conversation: z.looseObject({ id: z.string().min(1) }),
  user: z.looseObject({ id: z.string() }).optional(),
  bot: z.looseObject({ id: z.string() }).optional(),
});

export interface BotFrameworkDeps {
  now?: () => Date;
  /** Override the declared window (null = no window, for non-Facebook deployments). */
  customerServiceWindowHours?: number | null;
  getStartedPayload?: string;
  /** DNS for the serviceUrl check (tests); the system resolver otherwise. */
  lookupAll?: LookupAll;
}

export function isBotFrameworkEnabled(config: Config): boolean {
  return config.BOTFRAMEWORK_ENABLED;
}

/** The adapter, or null when BOTFRAMEWORK_ENABLED is not true. */
export function createBotFrameworkAdapter(
  config: Config,
  logger: Logger,
  deps: BotFrameworkDeps = {},
): ChannelAdapter | null {
  if (!config.BOTFRAMEWORK_ENABLED) return null;
  const log = logger.child({ channel: 'messenger-botframework' });
  const now = deps.now ?? (() => new Date());
  const appId = config.MICROSOFT_APP_ID ?? '';
  if (!appId) {
    const warning =
      'MICROSOFT_APP_ID is empty: Bot Framework authentication is DISABLED; anyone can post to /api/messages. Use this only with the Emulator or in tests.';
    if (config.NODE_ENV === 'production') log.error(warning);
    else log.warn(warning);
  }
  const authentication = new ConfigurationBotFrameworkAuthentication({
    MicrosoftAppId: appId,
    MicrosoftAppPassword: config.MICROSOFT_APP_PASSWORD ?? '',
    MicrosoftAppType: config.MICROSOFT_APP_TYPE ?? (appId ? 'MultiTenant' : ''),
    MicrosoftAppTenantId: config.MICROSOFT_APP_TENANT_ID ?? '',
  });
  // Note: the connector client retries 429/5xx itself (3 retries, honouring Retry-After) before an error
  // reaches us; botbuilder 4.23 offers no switch to turn that off (it ignores `noRetryPolicy`).
  const cloudAdapter = new QuietCloudAdapter(authentication);
  cloudAdapter.onTurnError = async (_context, error) => {
    log.error({ err: error }, 'Bot Framework turn failed');
    throw error;
  };
  const getStartedPayload = deps.getStartedPayload ?? 'GET_STARTED';
  const checkServiceUrl = createServiceUrlGuard({
    allowedOrigins: config.BOTFRAMEWORK_ALLOWED_SERVICE_URLS,
    ...(deps.lookupAll ? { lookupAll: deps.lookupAll } : {}),
  });
  const capabilities: ChannelCapabilities = { ...BOTFRAMEWORK_CAPABILITIES };
  if (deps.customerServiceWindowHours === null) delete capabilities.customerServiceWindowHours;
  else if (deps.customerServiceWindowHours !== undefined) {
    capabilities.customerServiceWindowHours = deps.customerServiceWindowHours;
  }
  let sink: InboundSink | null = null;
  let health: ChannelHealth = { state: 'starting', detail: 'not started' };

  const route: WebhookRoute = {
    method: 'POST',
    path: BOTFRAMEWORK_MESSAGES_PATH,
    async handle(request: WebhookRequest, response: ServerResponse) {
      const parsed = activitySchema.safeParse(request.body);
      if (!parsed.success) {
        const issues = parsed.error.issues
          .slice(0, 5)
          .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
        log.warn({ issues }, 'Bot Framework activity rejected: unexpected shape');
        writeJson(response, 400, { error: 'not a Bot Framework activity', issues });
        return;
      }
      const current = sink;
      if (!current) {
        writeJson(response, 503, { error: 'channel not started' });
        return;
      }
      let recordFailure: unknown = null;
      let refusedServiceUrl: string | null = null;
      const logic = async (context: TurnContext) => {
        const activity = parsed.data;
        // Checked after authentication: replies to this contact would be POSTed to this URL.
        try {
          await checkServiceUrl(activity.serviceUrl);
        } catch (error) {
          if (!(error instanceof ServiceUrlNotAllowedError)) throw error;
          refusedServiceUrl = error.message;
          // Dead letters only for authenticated input; without an app id anyone could fill the table.
          if (appId && current.reject) {
            await current.reject({
              channel: 'messenger-botframework',
              nativeId: activity.id ?? null,
              reason: error.message,
              payload: activity,
            });
          }
          return;
        }
        const reference = TurnContextClass.getConversationReference(context.activity);
        const normalized = normalizeActivity(
          activity,
          toPlainObject(reference),
          { getStartedPayload },
          now(),
        );
        if (!normalized) return;
        try {
          const outcome = await current.accept(normalized);
          log.debug(
            { nativeId: normalized.nativeId, from: maskContactId(normalized.contactNativeId), outcome },
            'inbound',
          );
        } catch (error) {
          recordFailure = error;
        }
      };
      // processActivity instead of botbuilder's process(): process() prints every rejected request's stack
      // with console.error, whatever LOG_LEVEL says (844 kB for 10,000 forged requests).
      const authorization = request.headers.authorization;
      let invokeResponse: { status?: number; body?: unknown } | undefined;
      try {
        invokeResponse = await cloudAdapter.processWithoutConsole(
          typeof authorization === 'string' ? authorization : '',
          parsed.data as unknown as Activity,
          logic,
        );
      } catch (error) {
        if (
          (error as { name?: unknown }).name === 'AuthenticationError' ||
          (error as { statusCode?: unknown }).statusCode === 401
        ) {
          log.debug(
            { reason: (error as Error).message },
            'Bot Framework activity rejected: authentication failed',
          );
          writeJson(response, 401, { error: 'unauthorized' });
          return;
        }
        log.error({ err: error }, 'Bot Framework activity processing failed');
        writeJson(response, 500, { error: 'processing failed' });
        return;
      }
      if (refusedServiceUrl) {
        log.warn({ reason: refusedServiceUrl }, 'Bot Framework activity rejected: serviceUrl not allowed');
        writeJson(response, 400, { error: 'serviceUrl not allowed' });
        return;
      }
      if (recordFailure) {
        log.error({ err: recordFailure }, 'Bot Framework activity could not be recorded');
        writeJson(response, 500, { error: 'not recorded, please retry' });
        return;
      }
      const status = invokeResponse?.status ?? 200;
      if (invokeResponse?.body === undefined) {
        response.statusCode = status;
        response.end();
      } else writeJson(response, status, invokeResponse.body);
    },
  };

  async function withConversation(
    target: SendTarget,
    work: (context: TurnContext) => Promise<void>,
  ): Promise<void> {
    const reference = conversationReferenceSchema.safeParse(target.contact.replyAddress);
    if (!reference.success) {
      throw new SendError('no Bot Framework conversation reference stored for this contact', 'permanent');
    }
    // A stored reference is checked again: it may predate the guard, and DNS answers change.
    try {
      await checkServiceUrl(reference.data.serviceUrl);
    } catch (error) {
      if (error instanceof ServiceUrlNotAllowedError) throw new SendError(error.message, 'permanent');
      throw error;
    }
    await cloudAdapter.continueConversationAsync(
      appId,
      reference.data as unknown as Partial<ConversationReference>,
      work,
    );
  }

  async function send(target: SendTarget, message: OutboundMessage): Promise<SendResult> {
    const reference = conversationReferenceSchema.safeParse(target.contact.replyAddress);
    const channelId = reference.success ? reference.data.channelId : 'facebook';
    let activities: ReturnType<typeof renderBotFrameworkActivities>;
    try {
      activities = renderBotFrameworkActivities(message, { channelId, locale: target.contact.locale });
    } catch (error) {
      throw new SendError(
        `Bot Framework message cannot be rendered: ${(error as Error).message}`,
        'permanent',
      );
    }
    let lastId: string | null = null;
    try {
      await withConversation(target, async (context) => {
        for (const activity of activities) {
          const sent = await context.sendActivity(activity);
          if (sent?.id) lastId = sent.id;
        }
      });
    } catch (error) {
      const sendError = toBotFrameworkSendError(error);
      log.warn(
        { to: maskContactId(target.contact.channelContactId), kind: sendError.kind, err: sendError.message },
        'Bot Framework send failed',
      );
      throw sendError;
    }
    return { nativeMessageId: lastId };
  }

  return {
    name: 'messenger-botframework',
    capabilities,
    pacing: BOTFRAMEWORK_PACING,
    routes: [route],
    async start(inboundSink) {
      sink = inboundSink;
      health = { state: 'ready', ...(appId ? {} : { detail: 'authentication disabled (no app id)' }) };
    },
    async stop() {
      sink = null;
      health = { state: 'starting', detail: 'stopped' };
    },
    send,
    async sendTyping(target) {
      try {
        await withConversation(target, async (context) => {
          await context.sendActivity({ type: 'typing' });
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

/** Exposes processActivity, which CloudAdapter keeps protected; process() would log to the console. */
class QuietCloudAdapter extends CloudAdapter {
  processWithoutConsole(
    authHeader: string,
    activity: Activity,
    logic: (context: TurnContext) => Promise<void>,
  ) {
    return this.processActivity(authHeader, activity, logic);
  }
}

function toPlainObject(reference: Partial<ConversationReference>): Record<string, unknown> {
  return JSON.parse(JSON.stringify(reference)) as Record<string, unknown>;
}
