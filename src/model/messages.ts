/** The normalized message model: what every channel adapter produces and consumes. */
import type { ChannelName } from './channel.js';

export type MediaKind = 'image' | 'audio' | 'video' | 'file' | 'sticker' | 'location';

export interface MediaReference {
  kind: MediaKind;
  /** A URL or the platform's media id; adapters know how to fetch it. */
  ref: string;
  mimeType?: string;
  caption?: string;
  /** The file's name as the customer should see it (documents). */
  fileName?: string;
  /** Size in bytes where known. */
  size?: number;
}

/** What the platform told us about the person, as far as it told us anything. */
export interface ContactProfile {
  displayName?: string;
  firstName?: string;
  lastName?: string;
  username?: string;
  /** Full phone number; never logged, only stored. */
  phone?: string;
  /** BCP-47-ish language tag as the platform reports it, e.g. `de-DE`. */
  locale?: string;
}

export interface InboundMessage {
  channel: ChannelName;
  /** The platform's id of this event (update_id, wamid, mid, activity id): the dedupe key. */
  nativeId: string;
  /** The person's id on that channel (chat id, wa_id, PSID, …). */
  contactNativeId: string;
  receivedAt: Date;
  text?: string;
  /** Payload of a pressed button / quick reply / postback. */
  buttonPayload?: string;
  /** `/start <payload>`, `m.me/?ref=`, or a referral carried by the platform. */
  startPayload?: string;
  /** True when the person opened the chat fresh (`/start`, Get Started) even without a payload. */
  isStart?: boolean;
  media?: MediaReference;
  profile?: ContactProfile;
  /**
   * Channel-specific data needed to reach this person later (Bot Framework conversation reference,
   * Telegram chat id). Opaque to everything but the adapter that wrote it.
   */
  replyAddress?: Record<string, unknown>;
  /** The original payload, kept for audit. */
  raw: unknown;
}

export interface OutboundButton {
  label: string;
  /** Sent back as `buttonPayload` when pressed. Absent for link buttons. */
  payload?: string;
  /** A link button opens this URL instead of sending a payload. */
  url?: string;
}

/** A pre-approved message for sends outside the customer-service window (WhatsApp templates). */
export interface TemplateReference {
  name: string;
  language: string;
  parameters?: string[];
}

/** Messenger message tags allowed outside the 24-hour window. */
export type MessageTag = 'ACCOUNT_UPDATE' | 'CONFIRMED_EVENT_UPDATE' | 'POST_PURCHASE_UPDATE' | 'HUMAN_AGENT';

export interface OutboundMessage {
  text?: string;
  buttons?: OutboundButton[];
  media?: MediaReference;
  link?: { url: string; label?: string };
  /** Used instead of the free-form content where the window is closed and the channel needs a template. */
  template?: TemplateReference;
  /** Used where the window is closed and the channel allows tagged messages. */
  tag?: MessageTag;
  /**
   * Who speaks: a person of the team (shown with their name where the channel can, e.g. the web chat) or
   * the bot (the default). Channels without sender display ignore it; the takeover notice names the person.
   */
  sender?: MessageSender;
}

export interface MessageSender {
  role: 'agent' | 'bot';
  /** The name the customer sees, e.g. the agent's first name. */
  name: string;
}

/** Delivery states an outbound message passes through; `held` = not sendable under the channel's rules. */
export type DeliveryStatus =
  | 'queued'
  | 'sending'
  | 'sent'
  | 'delivered'
  | 'read'
  | 'failed'
  | 'held'
  | 'cancelled';

/** A platform's report about a message we sent. */
export interface DeliveryReport {
  channel: ChannelName;
  /** The platform's id of the message we sent. */
  nativeMessageId: string;
  status: Extract<DeliveryStatus, 'sent' | 'delivered' | 'read' | 'failed'>;
  at: Date;
  error?: string;
}
