/**
 * The contract between channel adapters and the rest of Plausch. An adapter turns platform events into
 * `InboundMessage`s handed to an `InboundSink`, and sends `OutboundMessage`s rendered within its capabilities.
 * Adapters never call the engine; the runtime never knows a platform's API.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type {
  ChannelCapabilities,
  ChannelName,
  Contact,
  DeliveryReport,
  InboundMessage,
  OutboundMessage,
} from '../model/index.js';
import type { MediaFetcher } from './media-download.js';

/**
 * Where the runtime takes inbound events. `accept` resolves only after the event is durably recorded, or
 * with `rejected` once an event that can never be recorded went to the dead-letter table; it rejects only for
 * failures a retry may cure (the adapter then makes the platform redeliver).
 */
export interface InboundSink {
  accept(message: InboundMessage): Promise<InboundOutcome>;
  /**
   * Records an event the adapter could not understand (schema, JSON, depth) in the dead-letter table, so it
   * can be acknowledged and skipped. Call it only for authenticated input (signature/secret checked).
   * Optional: a sink without it (tests) makes the adapter log and skip.
   */
  reject?(rejection: InboundRejection): Promise<void>;
  /** Delivery/read receipts for messages we sent. Unknown message ids are ignored. */
  acceptDeliveryReport(report: DeliveryReport): Promise<void>;
  /**
   * Receipts that name no message but a moment (Messenger `delivery`/`read` watermarks): every message we
   * sent to that contact up to `upTo` reached `status`. Optional; adapters fall back to per-id reports.
   */
  acceptDeliveryWatermark?(watermark: DeliveryWatermark): Promise<void>;
}

export type InboundOutcome = 'accepted' | 'duplicate' | 'rejected';

export interface InboundRejection {
  channel: ChannelName;
  /** The platform's id of the event if it could be read. */
  nativeId?: string | null | undefined;
  /** Why it can never be recorded, for operators (no customer data: paths and limits). */
  reason: string;
  /** The raw body (Buffer) or the parsed value; truncated when stored. */
  payload: unknown;
  receivedAt?: Date | undefined;
}

/** "Everything we sent to this contact up to this moment was delivered/read." */
export interface DeliveryWatermark {
  channel: ChannelName;
  /** The person's id on that channel (PSID). */
  contactNativeId: string;
  status: 'delivered' | 'read';
  /** Messages sent at or before this moment are covered. */
  upTo: Date;
  at: Date;
}

/** Why a send failed, so the outbox knows whether to retry, wait, hold or give up. */
export type SendFailureKind =
  /** Network error, 5xx: retry with backoff. */
  | 'transient'
  /** 429 / platform throttling: retry after `retryAfterMs`. */
  | 'rate-limited'
  /** Blocked bot, unknown recipient, invalid payload: never retry. */
  | 'permanent'
  /** The platform refused because its customer-service window is closed. */
  | 'window-closed';

export class SendError extends Error {
  constructor(
    message: string,
    readonly kind: SendFailureKind,
    readonly retryAfterMs?: number,
    /** For `rate-limited`: whether the platform throttled this one chat (default) or the whole channel. */
    readonly scope: 'chat' | 'channel' = 'chat',
  ) {
    super(message);
    this.name = 'SendError';
  }
}

export interface SendTarget {
  contact: Contact;
  conversationId: string | null;
}

export interface SendResult {
  /** The platform's id of the sent message (for delivery reports); null where the platform gives none. */
  nativeMessageId: string | null;
}

/** Limits the outbox paces each channel by. */
export interface ChannelPacing {
  /** Messages per second across all chats. */
  overallPerSecond: number;
  /** Minimum milliseconds between two messages to the same chat. */
  perChatIntervalMs: number;
  /** The platform's rate counts inbound messages too (WhatsApp Cloud's throughput is sent + received). */
  countsInbound?: boolean;
}

/** A request as webhook handlers see it: Node's request plus the exact bytes (for signatures) and parsed parts. */
export interface WebhookRequest extends IncomingMessage {
  rawBody: Buffer;
  /** JSON-parsed body when the content type is JSON and the body parsed; otherwise undefined. */
  body: unknown;
  query: Record<string, string | undefined>;
}

export interface WebhookRoute {
  method: 'GET' | 'POST';
  path: string;
  handle(request: WebhookRequest, response: ServerResponse): Promise<void>;
}

export type ChannelHealthState = 'disabled' | 'starting' | 'ready' | 'degraded' | 'down';

export interface ChannelHealth {
  state: ChannelHealthState;
  /** One line for /readyz and the console, e.g. "waiting for QR scan". */
  detail?: string;
}

export interface ChannelAdapter {
  readonly name: ChannelName;
  readonly capabilities: ChannelCapabilities;
  readonly pacing: ChannelPacing;
  /** Webhook endpoints the HTTP server mounts (raw body available). */
  readonly routes: readonly WebhookRoute[];
  /** Starts polling / clients. Resolves once the adapter takes events (not necessarily when fully connected). */
  start(sink: InboundSink): Promise<void>;
  stop(): Promise<void>;
  send(target: SendTarget, message: OutboundMessage): Promise<SendResult>;
  /** Shows "typing…" where the platform supports it; never throws. */
  sendTyping?(target: SendTarget): Promise<void>;
  health(): ChannelHealth;
  /** Deep link a contact can share to open a chat with the bot carrying `payload`; null if the channel has none. */
  deepLink?(payload: string): string | null;
  /**
   * Downloads a customer's photo, voice note or file by the reference this adapter put into
   * `InboundMessage.media` (e.g. Telegram's file_id via getFile). Throws MediaTooLarge above `maxBytes`.
   */
  fetchMedia?: MediaFetcher;
  /**
   * False while another instance runs this channel (WhatsApp Web: one browser session per cluster); the
   * outbox then leaves the channel's rows to that instance. Absent = always sends here.
   */
  sendsHere?(): boolean;
}
