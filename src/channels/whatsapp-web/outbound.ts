/**
 * Renders an `OutboundMessage` for WhatsApp Web: buttons and lists are deprecated there, so choices become
 * numbered text lines; links are written inline; media goes as a file with the text as caption.
 * Maps library failures to `SendError` kinds.
 */
import type { OutboundMessage } from '../../model/index.js';
import { appendLink, appendNumberedOptions, splitText } from '../render/index.js';
import { SendError } from '../types.js';

export const WHATSAPP_WEB_TEXT_LIMIT = 4096;
export const WHATSAPP_WEB_LABEL_LIMIT = 60;

export type WhatsAppWebPart =
  | { kind: 'text'; text: string }
  | { kind: 'media'; url: string; caption?: string };

export function renderWhatsAppWebParts(message: OutboundMessage): WhatsAppWebPart[] {
  let text = appendNumberedOptions(message.text, message.buttons, {
    maxLabelLength: WHATSAPP_WEB_LABEL_LIMIT,
  });
  text = appendLink(text, message.link);
  const parts: WhatsAppWebPart[] = [];
  const media = message.media;
  if (media?.kind === 'location') {
    const [lat, lon] = media.ref.split(',').map((v) => v.trim());
    text = appendLink(text, { url: `https://maps.google.com/?q=${lat},${lon}` });
  } else if (media) {
    if (!/^https?:\/\//.test(media.ref)) {
      throw new SendError(
        `WhatsApp Web can only send media from an http(s) URL, got "${media.ref.slice(0, 60)}"`,
        'permanent',
      );
    }
    const caption = media.caption?.trim() || text;
    // A caption longer than a message would be cut by WhatsApp; then the text follows separately.
    const captionFits = caption.length > 0 && caption.length <= WHATSAPP_WEB_TEXT_LIMIT;
    parts.push({ kind: 'media', url: media.ref, ...(captionFits ? { caption } : {}) });
    if (captionFits && caption === text) text = '';
  }
  for (const chunk of splitText(text, WHATSAPP_WEB_TEXT_LIMIT)) parts.push({ kind: 'text', text: chunk });
  if (parts.length === 0)
    throw new SendError('nothing to send: the message has no text, media, buttons or link', 'permanent');
  return parts;
}

export function mapWhatsAppWebError(error: unknown): SendError {
  if (error instanceof SendError) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (/invalid wid|wid error|not a whatsapp user|no lid for user|chat not found/i.test(message)) {
    return new SendError(`WhatsApp Web cannot reach this chat: ${message}`, 'permanent');
  }
  if (/unable to determine mime type/i.test(message)) {
    return new SendError(`WhatsApp Web cannot send this media: ${message}`, 'permanent');
  }
  if (/rate|too many/i.test(message))
    return new SendError(`WhatsApp Web throttled: ${message}`, 'rate-limited', 60_000);
  // Session closed, protocol errors, page reloads, network: the connection comes back.
  return new SendError(`WhatsApp Web send failed: ${message}`, 'transient');
}
