/**
 * Renders an `OutboundMessage` as the Bot API calls that show it (pure), and maps Bot API failures to
 * `SendError` kinds the outbox acts on. Text is sent without parse_mode so nothing needs escaping.
 */
import type { OutboundButton, OutboundMessage } from '../../model/index.js';
import { chunkButtonRows, splitText, truncateLabel, utf8Length } from '../render/index.js';
import { SendError } from '../types.js';

export const TELEGRAM_TEXT_LIMIT = 4096;
/** Captions of photos and documents are shorter than texts. */
export const TELEGRAM_CAPTION_LIMIT = 1024;
export const TELEGRAM_CALLBACK_DATA_BYTES = 64;
export const TELEGRAM_BUTTON_LABEL_LIMIT = 64;

type InlineKeyboardButton = { text: string; callback_data: string } | { text: string; url: string };
export interface InlineKeyboardMarkup {
  inline_keyboard: InlineKeyboardButton[][];
}

export type TelegramCall =
  | {
      method: 'sendMessage';
      payload: {
        text: string;
        reply_markup?: InlineKeyboardMarkup;
        link_preview_options?: { is_disabled: boolean };
      };
    }
  | { method: 'sendPhoto'; payload: { photo: string; caption?: string; reply_markup?: InlineKeyboardMarkup } }
  | {
      method: 'sendDocument';
      payload: { document: string; caption?: string; reply_markup?: InlineKeyboardMarkup };
    }
  | {
      method: 'sendLocation';
      payload: { latitude: number; longitude: number; reply_markup?: InlineKeyboardMarkup };
    };

/**
 * The calls (without chat_id) that show `message`, in order. The keyboard goes on the last call so it sits
 * under the end of the message. Throws a permanent SendError for content Telegram would refuse.
 */
export function renderTelegramCalls(message: OutboundMessage): TelegramCall[] {
  const buttons = [...(message.buttons ?? [])];
  let text = message.text?.trim() ?? '';
  if (message.link) {
    // A labelled link becomes a URL button; a bare one stays in the text, where Telegram makes it clickable.
    if (message.link.label) buttons.push({ label: message.link.label, url: message.link.url });
    else text = text ? `${text}\n${message.link.url}` : message.link.url;
  }
  const keyboard = buttons.length > 0 ? inlineKeyboard(buttons) : undefined;
  const calls: TelegramCall[] = [];

  const media = message.media;
  let captionUsed = false;
  if (media) {
    const caption = (media.caption ?? '').trim() || (text.length <= TELEGRAM_CAPTION_LIMIT ? text : '');
    captionUsed = caption !== '' && caption === text;
    const withCaption = caption ? { caption: caption.slice(0, TELEGRAM_CAPTION_LIMIT) } : {};
    if (media.kind === 'image')
      calls.push({ method: 'sendPhoto', payload: { photo: media.ref, ...withCaption } });
    else if (media.kind === 'location')
      calls.push({ method: 'sendLocation', payload: parseLocation(media.ref) });
    else calls.push({ method: 'sendDocument', payload: { document: media.ref, ...withCaption } });
  }
  if (!captionUsed && text) {
    for (const part of splitText(text, TELEGRAM_TEXT_LIMIT))
      calls.push({ method: 'sendMessage', payload: { text: part } });
  }
  if (calls.length === 0) {
    if (!keyboard)
      throw new SendError('nothing to send: the message has no text, media, buttons or link', 'permanent');
    // Telegram needs text to hang a keyboard on.
    calls.push({ method: 'sendMessage', payload: { text: '⬇️' } });
  }
  if (keyboard) {
    const last = calls[calls.length - 1]!;
    last.payload.reply_markup = keyboard;
  }
  return calls;
}

function inlineKeyboard(buttons: readonly OutboundButton[]): InlineKeyboardMarkup {
  const rendered = buttons.map((button): InlineKeyboardButton => {
    const text = truncateLabel(button.label, TELEGRAM_BUTTON_LABEL_LIMIT);
    if (button.url) return { text, url: button.url };
    const data = button.payload ?? button.label;
    if (utf8Length(data) > TELEGRAM_CALLBACK_DATA_BYTES) {
      // Cutting the payload would route the press somewhere else; refuse loudly instead.
      throw new SendError(
        `button "${button.label}": payload is ${utf8Length(data)} bytes, Telegram allows ${TELEGRAM_CALLBACK_DATA_BYTES}`,
        'permanent',
      );
    }
    return { text, callback_data: data };
  });
  const rows = chunkButtonRows(
    rendered.map((b) => ({ label: b.text, button: b })),
    { maxPerRow: 2, wideLabelLength: 20 },
  );
  return { inline_keyboard: rows.map((row) => row.map((item) => item.button)) };
}

function parseLocation(ref: string): { latitude: number; longitude: number } {
  const [lat, lon] = ref.split(',').map((part) => Number.parseFloat(part));
  if (lat === undefined || lon === undefined || !Number.isFinite(lat) || !Number.isFinite(lon)) {
    throw new SendError(`location "${ref}" is not "latitude,longitude"`, 'permanent');
  }
  return { latitude: lat, longitude: lon };
}

/** Shape of telegraf's TelegramError without importing its class (keeps this module pure and testable). */
interface BotApiErrorLike {
  code?: unknown;
  description?: unknown;
  parameters?: { retry_after?: unknown } | undefined;
}

/** Maps a failed Bot API call to the outbox's failure kinds. */
export function mapTelegramError(error: unknown): SendError {
  if (error instanceof SendError) return error;
  const e = (typeof error === 'object' && error !== null ? error : {}) as BotApiErrorLike;
  const code = typeof e.code === 'number' ? e.code : undefined;
  const description =
    typeof e.description === 'string'
      ? e.description
      : error instanceof Error
        ? error.message
        : String(error);
  if (code === 429) {
    const retryAfter = typeof e.parameters?.retry_after === 'number' ? e.parameters.retry_after : 5;
    return new SendError(`Telegram rate limit: ${description}`, 'rate-limited', retryAfter * 1000);
  }
  if (code === 403) return new SendError(`Telegram refused (blocked or kicked): ${description}`, 'permanent');
  if (code === 400) return new SendError(`Telegram rejected the message: ${description}`, 'permanent');
  // 401/404 mean our token is wrong: an operator fixes it, then the queued messages should still go out.
  if (code === 401 || code === 404)
    return new SendError(`Telegram bot token rejected: ${description}`, 'transient');
  return new SendError(`Telegram unreachable or failing: ${description}`, 'transient');
}
