/**
 * Turns a Telegram update into an `InboundMessage`, or says why it is ignored. Pure: no network, no clock
 * of its own. Only private chats are conversations; groups, channels, edits and service messages are not.
 */
import type { ContactProfile, InboundMessage, MediaReference } from '../../model/index.js';
import type { TelegramMessage, TelegramUpdate, TelegramUser } from './update-schema.js';

/** What a `/start` payload may contain (Telegram deep links allow exactly this). */
export const START_PAYLOAD_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

export type TelegramNormalizeResult =
  | { kind: 'message'; message: InboundMessage; callbackQueryId?: string }
  /** Not a conversation event (edit, group, service message): acknowledged and dropped on purpose. */
  | { kind: 'ignored'; reason: string; callbackQueryId?: string };

export function normalizeTelegramUpdate(update: TelegramUpdate, receivedAt: Date): TelegramNormalizeResult {
  if (update.message) return normalizeMessage(update, update.message, receivedAt);
  const query = update.callback_query;
  if (query) {
    // Without the message (inline mode) the press still comes from a person: their private chat id is theirs.
    const chatId = query.message?.chat?.id ?? query.from.id;
    if (query.message?.chat && query.message.chat.type !== 'private') {
      return { kind: 'ignored', reason: 'button press in a group chat', callbackQueryId: query.id };
    }
    if (!query.data)
      return { kind: 'ignored', reason: 'callback query without data', callbackQueryId: query.id };
    return {
      kind: 'message',
      callbackQueryId: query.id,
      message: {
        channel: 'telegram',
        nativeId: String(update.update_id),
        contactNativeId: String(chatId),
        receivedAt,
        buttonPayload: query.data,
        profile: profileOf(query.from),
        replyAddress: { chatId },
        raw: update,
      },
    };
  }
  const kinds = Object.keys(update).filter((key) => key !== 'update_id');
  return { kind: 'ignored', reason: `update kind not handled: ${kinds.join(', ') || 'none'}` };
}

function normalizeMessage(
  update: TelegramUpdate,
  message: TelegramMessage,
  receivedAt: Date,
): TelegramNormalizeResult {
  if (message.chat.type !== 'private')
    return { kind: 'ignored', reason: `message in a ${message.chat.type} chat` };
  if (message.from?.is_bot) return { kind: 'ignored', reason: 'message from a bot' };
  const base: InboundMessage = {
    channel: 'telegram',
    nativeId: String(update.update_id),
    contactNativeId: String(message.chat.id),
    receivedAt,
    ...(message.from ? { profile: profileOf(message.from) } : {}),
    replyAddress: { chatId: message.chat.id },
    raw: update,
  };

  const start = parseStartCommand(message);
  if (start) {
    return {
      kind: 'message',
      message: { ...base, isStart: true, ...(start.payload ? { startPayload: start.payload } : {}) },
    };
  }

  const media = mediaOf(message);
  const text = message.text ?? message.caption;
  if (!media && (text === undefined || text.trim() === '')) {
    return { kind: 'ignored', reason: 'message without text or media (service message)' };
  }
  return {
    kind: 'message',
    message: {
      ...base,
      ...(text !== undefined && text.trim() !== '' ? { text } : {}),
      ...(media ? { media } : {}),
    },
  };
}

/**
 * `/start` or `/start <payload>` as Telegram sends it for t.me deep links. Telegraf's rule: a command counts
 * only when the first entity is a `bot_command` at offset 0. An invalid payload (anyone can type one)
 * still counts as a start, without payload.
 */
export function parseStartCommand(message: TelegramMessage): { payload: string | null } | null {
  const text = message.text;
  const first = message.entities?.[0];
  if (!text || !first || first.type !== 'bot_command' || first.offset !== 0) return null;
  const match = /^\/start(?:@[A-Za-z0-9_]+)?(?:\s+(\S.*))?$/s.exec(text.trim());
  if (!match) return null;
  const payload = match[1]?.trim();
  return { payload: payload && START_PAYLOAD_PATTERN.test(payload) ? payload : null };
}

function mediaOf(message: TelegramMessage): MediaReference | undefined {
  const caption = message.caption ? { caption: message.caption } : {};
  // Telegram sends several sizes of a photo, smallest first.
  const photo = message.photo?.[message.photo.length - 1];
  if (photo) return { kind: 'image', ref: photo.file_id, ...caption };
  const file = (kind: MediaReference['kind'], f: { file_id: string; mime_type?: string | undefined }) => ({
    kind,
    ref: f.file_id,
    ...(f.mime_type ? { mimeType: f.mime_type } : {}),
    ...caption,
  });
  if (message.document) return file('file', message.document);
  if (message.voice) return file('audio', message.voice);
  if (message.audio) return file('audio', message.audio);
  if (message.video) return file('video', message.video);
  if (message.video_note) return file('video', message.video_note);
  if (message.sticker) return file('sticker', message.sticker);
  if (message.location)
    return { kind: 'location', ref: `${message.location.latitude},${message.location.longitude}` };
  return undefined;
}

function profileOf(user: TelegramUser): ContactProfile {
  const displayName = [user.first_name, user.last_name].filter(Boolean).join(' ');
  return {
    ...(displayName ? { displayName } : {}),
    ...(user.first_name ? { firstName: user.first_name } : {}),
    ...(user.last_name ? { lastName: user.last_name } : {}),
    ...(user.username ? { username: user.username } : {}),
    ...(user.language_code ? { locale: user.language_code } : {}),
  };
}
