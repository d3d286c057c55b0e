/**
 * Turns a whatsapp-web.js `message` event into an `InboundMessage`, or says why it is ignored (our own
 * messages, groups, status updates). Pure; reads only plain fields of the library's Message object.
 */
import { z } from 'zod';
import type { InboundMessage, MediaKind, MediaReference } from '../../model/index.js';

const messageEventSchema = z.looseObject({
  id: z.looseObject({ _serialized: z.string().min(1) }),
  from: z.string().min(1),
  fromMe: z.boolean().optional(),
  isStatus: z.boolean().optional(),
  body: z.string().optional(),
  type: z.string().optional(),
  hasMedia: z.boolean().optional(),
  timestamp: z.number().optional(),
  location: z
    .looseObject({
      latitude: z.union([z.number(), z.string()]),
      longitude: z.union([z.number(), z.string()]),
    })
    .optional(),
  _data: z.looseObject({ notifyName: z.string().optional(), mimetype: z.string().optional() }).optional(),
});

export type WhatsAppWebNormalizeResult =
  | { kind: 'message'; message: InboundMessage }
  | { kind: 'ignored'; reason: string };

const MEDIA_KINDS: Record<string, MediaKind> = {
  image: 'image',
  video: 'video',
  ptt: 'audio',
  audio: 'audio',
  document: 'file',
  sticker: 'sticker',
};

export function normalizeWhatsAppWebMessage(event: unknown, receivedAt: Date): WhatsAppWebNormalizeResult {
  const parsed = messageEventSchema.safeParse(event);
  if (!parsed.success)
    return { kind: 'ignored', reason: `not a message: ${parsed.error.issues[0]?.message ?? 'invalid'}` };
  const msg = parsed.data;
  if (msg.fromMe) return { kind: 'ignored', reason: 'own message' };
  if (msg.isStatus || msg.from === 'status@broadcast') return { kind: 'ignored', reason: 'status update' };
  if (msg.from.endsWith('@g.us')) return { kind: 'ignored', reason: 'group message' };
  if (msg.from.endsWith('@newsletter') || msg.from.endsWith('@broadcast'))
    return { kind: 'ignored', reason: 'channel or broadcast' };

  const media = mediaOf(msg);
  // For media, `body` is the caption (or, for some types, base64 preview data we must not treat as text).
  const body = msg.body?.trim() ?? '';
  const text = media && media.kind !== 'location' ? media.caption : body || undefined;
  if (!media && !text)
    return { kind: 'ignored', reason: `message of type ${msg.type ?? 'unknown'} without text` };

  const notifyName = msg._data?.notifyName?.trim();
  // `@c.us` ids carry the phone number; `@lid` ids are opaque and must not be taken for one.
  const phone = msg.from.endsWith('@c.us') ? `+${msg.from.slice(0, -'@c.us'.length)}` : undefined;
  return {
    kind: 'message',
    message: {
      channel: 'whatsapp-web',
      nativeId: msg.id._serialized,
      contactNativeId: msg.from,
      receivedAt,
      ...(text ? { text } : {}),
      ...(media ? { media } : {}),
      profile: {
        ...(notifyName ? { displayName: notifyName } : {}),
        ...(phone && /^\+\d{6,15}$/.test(phone) ? { phone } : {}),
      },
      replyAddress: { chatId: msg.from },
      raw: rawOf(event),
    },
  };
}

function mediaOf(msg: z.infer<typeof messageEventSchema>): MediaReference | undefined {
  if (msg.type === 'location' && msg.location) {
    return { kind: 'location', ref: `${msg.location.latitude},${msg.location.longitude}` };
  }
  if (!msg.hasMedia) return undefined;
  const kind = MEDIA_KINDS[msg.type ?? ''] ?? 'file';
  const caption = kind !== 'sticker' && kind !== 'audio' ? msg.body?.trim() : undefined;
  return {
    kind,
    // The message id lets the adapter download the media later (msg.downloadMedia()).
    ref: msg.id._serialized,
    ...(msg._data?.mimetype ? { mimeType: msg._data.mimetype } : {}),
    ...(caption ? { caption } : {}),
  };
}

/** The library's Message holds a client reference (circular, huge); keep only its plain data for audit. */
function rawOf(event: unknown): unknown {
  const e = event as Record<string, unknown>;
  const { client: _client, _data: _raw, ...plain } = e;
  return JSON.parse(JSON.stringify(plain)) as unknown;
}
