/**
 * Turns a verified WhatsApp Cloud webhook into normalized inbound messages and delivery reports. Pure: no
 * I/O, so every message type is testable from fixtures. Referral codes inside the first message's text are
 * the referrals feature's business; only click-to-WhatsApp ad referrals become `startPayload` here.
 */
import type { DeliveryReport, InboundMessage, MediaKind, MediaReference } from '../../model/index.js';
import type {
  WhatsAppInboundMessage,
  WhatsAppMessagesValue,
  WhatsAppStatus,
  WhatsAppWebhook,
} from './payload.js';

export interface NormalizedWhatsAppWebhook {
  messages: InboundMessage[];
  reports: DeliveryReport[];
  /** Events we deliberately do not hand on (reactions, system notices), for a debug log line. */
  skipped: { id: string; type: string }[];
}

/** Message types that are not something a person said to the bot. */
const SKIPPED_TYPES = new Set(['reaction', 'system', 'ephemeral']);

const MEDIA_KINDS: Record<string, MediaKind> = {
  image: 'image',
  audio: 'audio',
  video: 'video',
  document: 'file',
  sticker: 'sticker',
};

export function normalizeWhatsAppWebhook(payload: WhatsAppWebhook): NormalizedWhatsAppWebhook {
  const result: NormalizedWhatsAppWebhook = { messages: [], reports: [], skipped: [] };
  for (const entry of payload.entry) {
    for (const change of entry.changes) {
      const value = change.messages;
      if (!value) continue;
      for (const message of value.messages ?? []) {
        if (SKIPPED_TYPES.has(message.type)) {
          result.skipped.push({ id: message.id, type: message.type });
          continue;
        }
        result.messages.push(normalizeMessage(message, value));
      }
      for (const status of value.statuses ?? []) {
        const report = normalizeStatus(status);
        if (report) result.reports.push(report);
        else result.skipped.push({ id: status.id, type: `status:${status.status}` });
      }
    }
  }
  return result;
}

function normalizeMessage(message: WhatsAppInboundMessage, value: WhatsAppMessagesValue): InboundMessage {
  const contact = value.contacts?.find((c) => c.wa_id === message.from) ?? value.contacts?.[0];
  const normalized: InboundMessage = {
    channel: 'whatsapp-cloud',
    nativeId: message.id,
    contactNativeId: message.from,
    receivedAt: fromUnixSeconds(message.timestamp),
    profile: {
      ...(contact?.profile?.name ? { displayName: contact.profile.name } : {}),
      phone: `+${message.from.replace(/^\+/, '')}`,
    },
    replyAddress: { phoneNumberId: value.metadata.phone_number_id },
    raw: { message, contact: contact ?? null, metadata: value.metadata },
  };

  switch (message.type) {
    case 'text':
      if (message.text) normalized.text = message.text.body;
      break;
    case 'interactive': {
      const reply = message.interactive?.button_reply ?? message.interactive?.list_reply;
      if (reply) {
        normalized.buttonPayload = reply.id;
        normalized.text = reply.title;
      }
      break;
    }
    case 'button':
      // Quick-reply button of a template message.
      if (message.button?.payload) normalized.buttonPayload = message.button.payload;
      if (message.button?.text) normalized.text = message.button.text;
      break;
    case 'location':
      if (message.location) {
        const { latitude, longitude, name, address } = message.location;
        const caption = [name, address].filter(Boolean).join(', ');
        normalized.media = {
          kind: 'location',
          ref: `${latitude},${longitude}`,
          ...(caption ? { caption } : {}),
        };
      }
      break;
    default: {
      const media = mediaOf(message);
      if (media) {
        normalized.media = media;
        if (media.caption) normalized.text = media.caption;
      }
    }
  }

  if (message.referral) {
    const code = message.referral.source_id ?? message.referral.ctwa_clid ?? message.referral.source_url;
    if (code) normalized.startPayload = code;
  }
  return normalized;
}

function mediaOf(message: WhatsAppInboundMessage): MediaReference | undefined {
  const kind = MEDIA_KINDS[message.type];
  if (!kind) return undefined;
  const object = message[message.type as 'image' | 'audio' | 'video' | 'document' | 'sticker'];
  if (!object) return undefined;
  return {
    kind,
    ref: object.id,
    ...(object.mime_type ? { mimeType: object.mime_type } : {}),
    ...(object.caption ? { caption: object.caption } : {}),
  };
}

function normalizeStatus(status: WhatsAppStatus): DeliveryReport | null {
  if (
    status.status !== 'sent' &&
    status.status !== 'delivered' &&
    status.status !== 'read' &&
    status.status !== 'failed'
  ) {
    return null;
  }
  const report: DeliveryReport = {
    channel: 'whatsapp-cloud',
    nativeMessageId: status.id,
    status: status.status,
    at: fromUnixSeconds(status.timestamp),
  };
  const error = status.errors?.[0];
  if (error) {
    const detail = error.error_data?.details ?? error.message;
    report.error = `${error.code} ${error.title ?? 'error'}${detail && detail !== error.title ? `: ${detail}` : ''}`;
  }
  return report;
}

function fromUnixSeconds(value: string | number): Date {
  return new Date(Number(value) * 1000);
}
