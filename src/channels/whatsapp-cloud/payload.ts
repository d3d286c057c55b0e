/**
 * The shape of WhatsApp Cloud API webhooks (`object: whatsapp_business_account`) as zod schemas. Lenient
 * where Meta adds fields over time (loose objects, message `type` as any string), strict where we depend on
 * a field (ids, senders, timestamps).
 */
import { z } from 'zod';

const mediaObject = z.looseObject({
  id: z.string(),
  mime_type: z.string().optional(),
  sha256: z.string().optional(),
  caption: z.string().optional(),
  filename: z.string().optional(),
  voice: z.boolean().optional(),
  animated: z.boolean().optional(),
});

export const whatsAppReferralSchema = z.looseObject({
  source_url: z.string().optional(),
  source_id: z.string().optional(),
  source_type: z.string().optional(),
  body: z.string().optional(),
  headline: z.string().optional(),
  media_type: z.string().optional(),
  image_url: z.string().optional(),
  video_url: z.string().optional(),
  thumbnail_url: z.string().optional(),
  ctwa_clid: z.string().optional(),
});

/** Unix seconds as a string, as Meta sends them. */
const unixSeconds = z.union([z.string().regex(/^\d+$/), z.number().int().nonnegative()]);

export const whatsAppMessageSchema = z.looseObject({
  from: z.string().min(1),
  id: z.string().min(1),
  timestamp: unixSeconds,
  type: z.string(),
  text: z.looseObject({ body: z.string() }).optional(),
  interactive: z
    .looseObject({
      type: z.string(),
      button_reply: z.looseObject({ id: z.string(), title: z.string() }).optional(),
      list_reply: z
        .looseObject({ id: z.string(), title: z.string(), description: z.string().optional() })
        .optional(),
      nfm_reply: z
        .looseObject({ response_json: z.string().optional(), body: z.string().optional() })
        .optional(),
    })
    .optional(),
  button: z.looseObject({ payload: z.string().optional(), text: z.string().optional() }).optional(),
  context: z
    .looseObject({
      from: z.string().optional(),
      id: z.string().optional(),
      forwarded: z.boolean().optional(),
    })
    .optional(),
  image: mediaObject.optional(),
  audio: mediaObject.optional(),
  video: mediaObject.optional(),
  document: mediaObject.optional(),
  sticker: mediaObject.optional(),
  location: z
    .looseObject({
      latitude: z.number(),
      longitude: z.number(),
      name: z.string().optional(),
      address: z.string().optional(),
    })
    .optional(),
  reaction: z.looseObject({ message_id: z.string().optional(), emoji: z.string().optional() }).optional(),
  referral: whatsAppReferralSchema.optional(),
});

const whatsAppErrorSchema = z.looseObject({
  code: z.number(),
  title: z.string().optional(),
  message: z.string().optional(),
  error_data: z.looseObject({ details: z.string().optional() }).optional(),
});

export const whatsAppStatusSchema = z.looseObject({
  id: z.string().min(1),
  status: z.string(),
  timestamp: unixSeconds,
  recipient_id: z.string().optional(),
  errors: z.array(whatsAppErrorSchema).optional(),
});

export const whatsAppMessagesValueSchema = z.looseObject({
  messaging_product: z.literal('whatsapp'),
  metadata: z.looseObject({ phone_number_id: z.string(), display_phone_number: z.string().optional() }),
  contacts: z
    .array(
      z.looseObject({
        wa_id: z.string().optional(),
        profile: z.looseObject({ name: z.string().optional() }).optional(),
      }),
    )
    .optional(),
  messages: z.array(whatsAppMessageSchema).optional(),
  statuses: z.array(whatsAppStatusSchema).optional(),
  errors: z.array(whatsAppErrorSchema).optional(),
});

/**
 * `messages` changes are parsed strictly (with issue paths pointing into them); other subscribed fields
 * (template status, account updates) pass untouched with `messages: null`.
 */
const changeSchema = z.looseObject({ field: z.string(), value: z.unknown() }).transform((change, ctx) => {
  if (change.field !== 'messages') return { field: change.field, messages: null };
  const parsed = whatsAppMessagesValueSchema.safeParse(change.value);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      ctx.addIssue({ code: 'custom', message: issue.message, path: ['value', ...issue.path] });
    }
    return z.NEVER;
  }
  return { field: change.field, messages: parsed.data };
});

export const whatsAppWebhookSchema = z.looseObject({
  object: z.literal('whatsapp_business_account'),
  entry: z.array(z.looseObject({ id: z.string(), changes: z.array(changeSchema) })),
});

export type WhatsAppWebhook = z.infer<typeof whatsAppWebhookSchema>;
export type WhatsAppMessagesValue = z.infer<typeof whatsAppMessagesValueSchema>;
export type WhatsAppInboundMessage = z.infer<typeof whatsAppMessageSchema>;
export type WhatsAppStatus = z.infer<typeof whatsAppStatusSchema>;
