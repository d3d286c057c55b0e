/**
 * The parts of a Telegram Bot API `Update` Plausch reads, as zod schemas. Unknown fields pass through
 * (Telegram adds fields over time); only what we rely on is checked.
 */
import { z } from 'zod';

export const telegramUserSchema = z.looseObject({
  id: z.number().int(),
  is_bot: z.boolean().optional(),
  first_name: z.string().optional(),
  last_name: z.string().optional(),
  username: z.string().optional(),
  language_code: z.string().optional(),
});

const chatSchema = z.looseObject({
  id: z.number().int(),
  type: z.string(),
});

const fileSchema = z.looseObject({
  file_id: z.string(),
  mime_type: z.string().optional(),
});

export const telegramMessageSchema = z.looseObject({
  message_id: z.number().int(),
  from: telegramUserSchema.optional(),
  chat: chatSchema,
  date: z.number().int().optional(),
  text: z.string().optional(),
  caption: z.string().optional(),
  entities: z
    .array(z.looseObject({ type: z.string(), offset: z.number().int(), length: z.number().int() }))
    .optional(),
  photo: z.array(fileSchema).optional(),
  document: fileSchema.optional(),
  voice: fileSchema.optional(),
  audio: fileSchema.optional(),
  video: fileSchema.optional(),
  video_note: fileSchema.optional(),
  sticker: fileSchema.optional(),
  location: z.looseObject({ latitude: z.number(), longitude: z.number() }).optional(),
});

/**
 * A button press. Telegram documents `message` as optional (absent for buttons under inline-mode messages,
 * which come with `inline_message_id` instead) and as a MaybeInaccessibleMessage (date 0, only chat and
 * message_id); emulators send less still. So every part of it is optional: only `id` and `from` are needed.
 */
export const telegramCallbackQuerySchema = z.looseObject({
  id: z.string(),
  from: telegramUserSchema,
  message: z.looseObject({ message_id: z.number().int().optional(), chat: chatSchema.optional() }).optional(),
  inline_message_id: z.string().optional(),
  chat_instance: z.string().optional(),
  data: z.string().optional(),
});

/** An update: `update_id` is required; the kinds we handle are checked when present. */
export const telegramUpdateSchema = z.looseObject({
  update_id: z.number().int().nonnegative(),
  message: telegramMessageSchema.optional(),
  callback_query: telegramCallbackQuerySchema.optional(),
});

export type TelegramUser = z.infer<typeof telegramUserSchema>;
export type TelegramMessage = z.infer<typeof telegramMessageSchema>;
export type TelegramCallbackQuery = z.infer<typeof telegramCallbackQuerySchema>;
export type TelegramUpdate = z.infer<typeof telegramUpdateSchema>;
