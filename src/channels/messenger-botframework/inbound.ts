/**
 * Turns a Bot Framework activity into a normalized inbound message. Facebook's raw Messenger event rides
 * along in `channelData` (quick replies, postbacks, referrals); other channels use text and `value`.
 * Pure; the conversation reference to reach the person later is passed in and stored as `replyAddress`.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { InboundMessage, MediaKind, MediaReference } from '../../model/index.js';

/** The parts of an activity we read; everything else stays in `raw`. */
export const activitySchema = z.looseObject({
  type: z.string().min(1),
  id: z.string().optional(),
  timestamp: z.string().optional(),
  channelId: z.string().min(1),
  serviceUrl: z.string().min(1),
  locale: z.string().optional(),
  from: z.looseObject({ id: z.string().min(1), name: z.string().optional() }),
  recipient: z.looseObject({ id: z.string() }).optional(),
  conversation: z.looseObject({ id: z.string().min(1) }),
  text: z.string().optional(),
  value: z.unknown().optional(),
  channelData: z.unknown().optional(),
  membersAdded: z.array(z.looseObject({ id: z.string() })).optional(),
  attachments: z
    .array(
      z.looseObject({
        contentType: z.string().optional(),
        contentUrl: z.string().optional(),
        name: z.string().optional(),
      }),
    )
    .optional(),
});

export type ActivityView = z.infer<typeof activitySchema>;

const facebookChannelData = z.looseObject({
  message: z
    .looseObject({
      mid: z.string().optional(),
      quick_reply: z.looseObject({ payload: z.string() }).optional(),
    })
    .optional(),
  postback: z
    .looseObject({
      payload: z.string().optional(),
      title: z.string().optional(),
      referral: z.looseObject({ ref: z.string().optional() }).optional(),
    })
    .optional(),
  referral: z.looseObject({ ref: z.string().optional() }).optional(),
});

export interface BotFrameworkInboundOptions {
  getStartedPayload: string;
}

/** The normalized message, or null for activities that are not something the person did (typing, bot added). */
export function normalizeActivity(
  activity: ActivityView,
  replyAddress: Record<string, unknown>,
  options: BotFrameworkInboundOptions,
  now: Date,
): InboundMessage | null {
  const base: InboundMessage = {
    channel: 'messenger-botframework',
    nativeId: `${activity.channelId}:${activity.id ?? syntheticId(activity)}`,
    contactNativeId: activity.from.id,
    receivedAt:
      activity.timestamp && !Number.isNaN(Date.parse(activity.timestamp))
        ? new Date(activity.timestamp)
        : now,
    replyAddress,
    raw: activity,
  };
  const profile = {
    ...(activity.from.name ? { displayName: activity.from.name } : {}),
    ...(activity.locale ? { locale: activity.locale } : {}),
  };
  if (Object.keys(profile).length > 0) base.profile = profile;

  if (activity.type === 'conversationUpdate') {
    const botId = activity.recipient?.id;
    const personJoined = (activity.membersAdded ?? []).some((member) => member.id !== botId);
    if (!personJoined) return null;
    return { ...base, isStart: true };
  }
  if (activity.type !== 'message' && activity.type !== 'event') return null;

  const message: InboundMessage = { ...base };
  if (activity.text?.trim()) message.text = activity.text;
  const facebook = facebookChannelData.safeParse(activity.channelData);
  if (facebook.success) {
    const data = facebook.data;
    if (data.message?.quick_reply) message.buttonPayload = data.message.quick_reply.payload;
    if (data.postback) {
      const ref = data.postback.referral?.ref;
      const isGetStarted = data.postback.payload === options.getStartedPayload;
      if (isGetStarted || ref !== undefined) message.isStart = true;
      if (ref) message.startPayload = ref;
      if (data.postback.payload && !isGetStarted) message.buttonPayload = data.postback.payload;
      // The channel puts the payload into `text` too; the button's title is what the person saw.
      if (isGetStarted) delete message.text;
      else if (data.postback.title) message.text = data.postback.title;
    }
    if (data.referral) {
      message.isStart = true;
      if (data.referral.ref) message.startPayload = data.referral.ref;
    }
  }
  if (message.buttonPayload === undefined) {
    const submitted = payloadOfValue(activity.value);
    if (submitted) message.buttonPayload = submitted;
  }
  const media = mediaOf(activity);
  if (media) message.media = media;

  const meaningful =
    message.text !== undefined ||
    message.buttonPayload !== undefined ||
    message.startPayload !== undefined ||
    message.isStart === true ||
    message.media !== undefined;
  // An event activity without anything we understand (e.g. our own ContinueConversation) is not a message.
  if (!meaningful && activity.type === 'event') return null;
  return message;
}

/** Card submits: a string value, or an object with a `payload` (or `action`) field. */
function payloadOfValue(value: unknown): string | undefined {
  if (typeof value === 'string' && value.trim()) return value;
  if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    for (const key of ['payload', 'action']) {
      const field = record[key];
      if (typeof field === 'string' && field.trim()) return field;
    }
  }
  return undefined;
}

function mediaOf(activity: ActivityView): MediaReference | undefined {
  const attachment = activity.attachments?.find((a) => a.contentUrl);
  if (!attachment?.contentUrl) return undefined;
  const type = attachment.contentType ?? '';
  const kind: MediaKind = type.startsWith('image/')
    ? 'image'
    : type.startsWith('audio/')
      ? 'audio'
      : type.startsWith('video/')
        ? 'video'
        : 'file';
  return { kind, ref: attachment.contentUrl, ...(type ? { mimeType: type } : {}) };
}

/** Activities without an id (rare: some conversationUpdates) get one from what identifies them. */
function syntheticId(activity: ActivityView): string {
  const members = (activity.membersAdded ?? []).map((m) => m.id).join(',');
  const digest = createHash('sha256')
    .update(
      `${activity.type}|${activity.conversation.id}|${activity.from.id}|${activity.timestamp ?? ''}|${members}`,
    )
    .digest('hex');
  return `h${digest.slice(0, 32)}`;
}
