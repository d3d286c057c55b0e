/**
 * How each channel would show a message, for the workbench's simulator: the message goes through the
 * channel's own renderer (the code the adapter sends with) and the platform payload is described in a
 * neutral shape — text bubbles, and buttons as the customer sees them (Telegram's inline keyboard,
 * WhatsApp's reply buttons or list, Messenger's quick replies, numbered options on WhatsApp Web). Nothing
 * is sent; a message the platform would refuse comes back with the reason.
 */
import type { ChannelCapabilities, OutboundMessage } from '../model/index.js';
import { MESSENGER_CAPABILITIES } from './messenger-meta/adapter.js';
import { renderMessengerMessage } from './messenger-meta/outbound.js';
import { TELEGRAM_CAPABILITIES } from './telegram/adapter.js';
import { renderTelegramCalls } from './telegram/outbound.js';
import { WEBCHAT_CAPABILITIES } from './webchat/adapter.js';
import { renderWebchatEvents } from './webchat/outbound.js';
import { WHATSAPP_CLOUD_CAPABILITIES } from './whatsapp-cloud/adapter.js';
import { renderWhatsAppMessage } from './whatsapp-cloud/outbound.js';
import { WHATSAPP_WEB_CAPABILITIES } from './whatsapp-web/adapter.js';
import { renderWhatsAppWebParts } from './whatsapp-web/outbound.js';

export const PREVIEW_CHANNELS = [
  'telegram',
  'whatsapp-cloud',
  'whatsapp-web',
  'messenger-meta',
  'webchat',
] as const;
export type PreviewChannel = (typeof PREVIEW_CHANNELS)[number];

export const PREVIEW_CAPABILITIES: Record<PreviewChannel, ChannelCapabilities> = {
  telegram: TELEGRAM_CAPABILITIES,
  'whatsapp-cloud': WHATSAPP_CLOUD_CAPABILITIES,
  'whatsapp-web': WHATSAPP_WEB_CAPABILITIES,
  'messenger-meta': MESSENGER_CAPABILITIES,
  webchat: WEBCHAT_CAPABILITIES,
};

export type BubbleStyle =
  | 'text'
  | 'inline-keyboard'
  | 'reply-buttons'
  | 'list'
  | 'quick-replies'
  | 'button-template'
  | 'chips'
  | 'media';

export interface PreviewBubble {
  style: BubbleStyle;
  text?: string;
  /** Choice labels as the platform shows them (shortened where it cuts), rows for Telegram. */
  buttons?: string[][];
  /** Link buttons (label → URL). */
  links?: Array<{ label: string; url: string }>;
  /** WhatsApp's list opener ("Choose"). */
  listButton?: string;
  media?: string;
}

export interface ChannelPreview {
  bubbles: PreviewBubble[];
  /** Why the platform would refuse the message, when it would. */
  refused?: string;
}

type Json = Record<string, unknown>;

export function previewOnChannel(
  channel: PreviewChannel,
  message: OutboundMessage,
  locale: string,
): ChannelPreview {
  try {
    return { bubbles: render(channel, message, locale) };
  } catch (error) {
    return { bubbles: [], refused: error instanceof Error ? error.message : String(error) };
  }
}

function render(channel: PreviewChannel, message: OutboundMessage, locale: string): PreviewBubble[] {
  switch (channel) {
    case 'telegram':
      return renderTelegramCalls(message).map((call) => {
        const payload = call.payload as Json & { reply_markup?: { inline_keyboard: Json[][] } };
        const rows = payload.reply_markup?.inline_keyboard ?? [];
        const choices = rows.map((row) => row.filter((b) => !('url' in b)).map((b) => String(b.text)));
        const links = rows
          .flat()
          .flatMap((b) => ('url' in b ? [{ label: String(b.text), url: String(b.url) }] : []));
        const text = String(payload.text ?? payload.caption ?? '');
        return {
          style: rows.length > 0 ? 'inline-keyboard' : call.method === 'sendMessage' ? 'text' : 'media',
          ...(text ? { text } : {}),
          ...(choices.some((row) => row.length > 0)
            ? { buttons: choices.filter((row) => row.length > 0) }
            : {}),
          ...(links.length > 0 ? { links } : {}),
          ...(call.method !== 'sendMessage' ? { media: call.method.replace('send', '').toLowerCase() } : {}),
        };
      });
    case 'whatsapp-cloud':
      return renderWhatsAppMessage(message, { locale }).map((body) => describeWhatsApp(body as Json));
    case 'whatsapp-web':
      return renderWhatsAppWebParts(message).map((part) =>
        part.kind === 'text'
          ? { style: 'text', text: part.text }
          : { style: 'media', media: part.url, ...(part.caption ? { text: part.caption } : {}) },
      );
    case 'messenger-meta':
      return renderMessengerMessage(message, { locale }).map((body) => describeMessenger(body as Json));
    case 'webchat':
      return renderWebchatEvents(message, 0).map((event) => ({
        style: event.buttons?.some((b) => !b.url) ? 'chips' : event.media ? 'media' : 'text',
        ...(event.text ? { text: event.text } : {}),
        ...(event.buttons?.some((b) => !b.url)
          ? { buttons: [event.buttons.filter((b) => !b.url).map((b) => b.label)] }
          : {}),
        ...(event.buttons?.some((b) => b.url) || event.link
          ? {
              links: [
                ...(event.buttons ?? []).flatMap((b) => (b.url ? [{ label: b.label, url: b.url }] : [])),
                ...(event.link ? [{ label: event.link.label ?? event.link.url, url: event.link.url }] : []),
              ],
            }
          : {}),
        ...(event.media ? { media: event.media.url } : {}),
      }));
  }
}

function describeWhatsApp(body: Json): PreviewBubble {
  if (body.type === 'text') return { style: 'text', text: String((body.text as Json).body ?? '') };
  if (body.type !== 'interactive') return { style: 'media', media: String(body.type) };
  const interactive = body.interactive as Json & { action: Json; body?: { text?: string } };
  const text = interactive.body?.text ?? '';
  if (interactive.type === 'button') {
    const buttons = (interactive.action.buttons as Array<{ reply: { title: string } }>).map(
      (b) => b.reply.title,
    );
    return { style: 'reply-buttons', text, buttons: buttons.map((title) => [title]) };
  }
  if (interactive.type === 'list') {
    const sections = interactive.action.sections as Array<{ rows: Array<{ title: string }> }>;
    return {
      style: 'list',
      text,
      listButton: String(interactive.action.button ?? ''),
      buttons: sections.flatMap((section) => section.rows.map((row) => [row.title])),
    };
  }
  const parameters = interactive.action.parameters as { display_text?: string; url?: string } | undefined;
  return {
    style: 'text',
    text,
    ...(parameters?.url ? { links: [{ label: parameters.display_text ?? '', url: parameters.url }] } : {}),
  };
}

function describeMessenger(body: Json): PreviewBubble {
  const quickReplies = body.quick_replies as Array<{ title: string }> | undefined;
  if (quickReplies)
    return {
      style: 'quick-replies',
      text: String(body.text ?? ''),
      buttons: [quickReplies.map((q) => q.title)],
    };
  const attachment = body.attachment as { type: string; payload: Json } | undefined;
  if (attachment?.type === 'template') {
    const buttons = attachment.payload.buttons as Array<{ type: string; title: string; url?: string }>;
    const choices = buttons.filter((b) => b.type === 'postback').map((b) => b.title);
    const links = buttons.flatMap((b) => (b.url ? [{ label: b.title, url: b.url }] : []));
    return {
      style: 'button-template',
      text: String(attachment.payload.text ?? ''),
      ...(choices.length > 0 ? { buttons: choices.map((title) => [title]) } : {}),
      ...(links.length > 0 ? { links } : {}),
    };
  }
  if (attachment) return { style: 'media', media: String(attachment.payload.url ?? attachment.type) };
  return { style: 'text', text: String(body.text ?? '') };
}
