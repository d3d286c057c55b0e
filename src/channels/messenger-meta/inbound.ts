/**
 * Turns a verified Messenger webhook into normalized inbound messages, per-message delivery reports and
 * delivery/read watermarks. Pure. Referral entry points: `m.me/<page>?ref=` reaches us as the Get Started
 * postback's `referral.ref` (new thread) or as a `messaging_referrals` event (existing thread).
 */
import { createHash } from 'node:crypto';
import type { DeliveryReport, InboundMessage, MediaReference } from '../../model/index.js';
import type { DeliveryWatermark } from '../types.js';
import type { MessengerEvent, MessengerWebhook } from './payload.js';

export interface NormalizedMessengerWebhook {
  messages: InboundMessage[];
  reports: DeliveryReport[];
  watermarks: DeliveryWatermark[];
  skipped: { kind: string; sender: string }[];
}

export interface MessengerInboundOptions {
  /** The payload the Page's Get Started button sends (default `GET_STARTED`). */
  getStartedPayload: string;
}

export function normalizeMessengerWebhook(
  payload: MessengerWebhook,
  options: MessengerInboundOptions,
): NormalizedMessengerWebhook {
  const result: NormalizedMessengerWebhook = { messages: [], reports: [], watermarks: [], skipped: [] };
  for (const entry of payload.entry) {
    for (const event of entry.messaging ?? []) {
      const psid = event.sender.id;
      const at = new Date(event.timestamp);
      if (event.message) {
        if (event.message.is_echo) result.skipped.push({ kind: 'echo', sender: psid });
        else result.messages.push(fromMessage(event, event.message));
      } else if (event.postback) {
        result.messages.push(fromPostback(event, event.postback, options));
      } else if (event.referral) {
        result.messages.push(fromReferral(event, event.referral));
      } else if (event.delivery) {
        for (const mid of event.delivery.mids ?? []) {
          result.reports.push({ channel: 'messenger-meta', nativeMessageId: mid, status: 'delivered', at });
        }
        result.watermarks.push({
          channel: 'messenger-meta',
          contactNativeId: psid,
          status: 'delivered',
          upTo: new Date(event.delivery.watermark),
          at,
        });
      } else if (event.read) {
        result.watermarks.push({
          channel: 'messenger-meta',
          contactNativeId: psid,
          status: 'read',
          upTo: new Date(event.read.watermark),
          at,
        });
      } else {
        result.skipped.push({
          kind: Object.keys(event).find((k) => !BASE_KEYS.has(k)) ?? 'unknown',
          sender: psid,
        });
      }
    }
  }
  return result;
}

const BASE_KEYS = new Set(['sender', 'recipient', 'timestamp']);

function base(event: MessengerEvent, nativeId: string): InboundMessage {
  return {
    channel: 'messenger-meta',
    nativeId,
    contactNativeId: event.sender.id,
    receivedAt: new Date(event.timestamp),
    replyAddress: { pageId: event.recipient.id },
    raw: event,
  };
}

function fromMessage(event: MessengerEvent, message: NonNullable<MessengerEvent['message']>): InboundMessage {
  const normalized = base(event, message.mid);
  if (message.text !== undefined) normalized.text = message.text;
  if (message.quick_reply) normalized.buttonPayload = message.quick_reply.payload;
  const attachment = message.attachments?.[0];
  if (attachment) {
    const media = mediaOf(attachment);
    if (media) normalized.media = media;
  }
  return normalized;
}

function fromPostback(
  event: MessengerEvent,
  postback: NonNullable<MessengerEvent['postback']>,
  options: MessengerInboundOptions,
): InboundMessage {
  const ref = postback.referral?.ref;
  const normalized = base(event, postback.mid ?? syntheticId(event, 'postback', postback.payload ?? ''));
  const isGetStarted = postback.payload === options.getStartedPayload;
  if (isGetStarted || ref !== undefined) normalized.isStart = true;
  if (ref) normalized.startPayload = ref;
  if (!isGetStarted && postback.payload) {
    normalized.buttonPayload = postback.payload;
    if (postback.title) normalized.text = postback.title;
  }
  return normalized;
}

function fromReferral(
  event: MessengerEvent,
  referral: NonNullable<MessengerEvent['referral']>,
): InboundMessage {
  const normalized = base(event, syntheticId(event, 'referral', referral.ref ?? referral.ad_id ?? ''));
  normalized.isStart = true;
  if (referral.ref) normalized.startPayload = referral.ref;
  return normalized;
}

/** Referral events carry no mid; sender + time + ref identify a redelivery of the same event. */
export function syntheticId(event: MessengerEvent, kind: string, detail: string): string {
  const hash = createHash('sha256')
    .update(`${event.sender.id}|${event.timestamp}|${kind}|${detail}`)
    .digest('hex');
  return `${kind}:${hash.slice(0, 32)}`;
}

type Attachment = NonNullable<NonNullable<MessengerEvent['message']>['attachments']>[number];

function mediaOf(attachment: Attachment): MediaReference | undefined {
  const payload = attachment.payload ?? undefined;
  if (attachment.type === 'location' && payload?.coordinates) {
    return {
      kind: 'location',
      ref: `${payload.coordinates.lat},${payload.coordinates.long}`,
      ...(payload.title ? { caption: payload.title } : {}),
    };
  }
  if (!payload?.url) return undefined;
  if (attachment.type === 'image')
    return { kind: payload.sticker_id ? 'sticker' : 'image', ref: payload.url };
  if (attachment.type === 'audio' || attachment.type === 'video')
    return { kind: attachment.type, ref: payload.url };
  if (attachment.type === 'file') return { kind: 'file', ref: payload.url };
  return undefined;
}
