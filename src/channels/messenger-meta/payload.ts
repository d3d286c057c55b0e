/**
 * The shape of Messenger Platform webhooks (`object: page`) as zod schemas: the `messaging[]` events we
 * subscribe to (messages, postbacks, referrals, deliveries, reads), loose where Meta adds fields.
 */
import { z } from 'zod';

const referralSchema = z.looseObject({
  ref: z.string().optional(),
  source: z.string().optional(),
  type: z.string().optional(),
  ad_id: z.string().optional(),
  referer_uri: z.string().optional(),
});

const attachmentSchema = z.looseObject({
  type: z.string(),
  payload: z
    .looseObject({
      url: z.string().optional(),
      sticker_id: z.number().optional(),
      title: z.string().optional(),
      coordinates: z.looseObject({ lat: z.number(), long: z.number() }).optional(),
    })
    .nullable()
    .optional(),
});

export const messengerEventSchema = z.looseObject({
  sender: z.looseObject({ id: z.string().min(1) }),
  recipient: z.looseObject({ id: z.string() }),
  timestamp: z.number(),
  message: z
    .looseObject({
      mid: z.string().min(1),
      text: z.string().optional(),
      is_echo: z.boolean().optional(),
      quick_reply: z.looseObject({ payload: z.string() }).optional(),
      attachments: z.array(attachmentSchema).optional(),
      reply_to: z.looseObject({ mid: z.string().optional() }).optional(),
    })
    .optional(),
  postback: z
    .looseObject({
      mid: z.string().optional(),
      title: z.string().optional(),
      payload: z.string().optional(),
      referral: referralSchema.optional(),
    })
    .optional(),
  referral: referralSchema.optional(),
  delivery: z.looseObject({ mids: z.array(z.string()).optional(), watermark: z.number() }).optional(),
  read: z.looseObject({ watermark: z.number() }).optional(),
});

export const messengerWebhookSchema = z.looseObject({
  object: z.literal('page'),
  entry: z.array(
    z.looseObject({
      id: z.string(),
      time: z.number().optional(),
      messaging: z.array(messengerEventSchema).optional(),
    }),
  ),
});

export type MessengerWebhook = z.infer<typeof messengerWebhookSchema>;
export type MessengerEvent = z.infer<typeof messengerEventSchema>;
