/**
 * Renders an OutboundMessage as Bot Framework activities: text split at 2000, up to 10 choices as
 * postBack suggested actions (plus Facebook quick replies in `channelData`), link buttons as a hero card
 * (≤3 actions, Facebook's card limit), more choices as numbered text, media as attachments, and a
 * Facebook message tag in `channelData` for sends outside the 24-hour window.
 */
import type { Activity, Attachment as BotAttachment, CardAction } from 'botbuilder';
import type { MediaReference, OutboundButton, OutboundMessage } from '../../model/index.js';
import { metaUiTexts } from '../meta/ui-texts.js';
import { appendNumberedOptions, splitText, truncateLabel } from '../render/index.js';

export const BOTFRAMEWORK_LIMITS = {
  text: 2000,
  suggestedActions: 10,
  cardActions: 3,
  title: 20,
  facebookPayload: 1000,
} as const;

export interface BotFrameworkRenderContext {
  channelId: string;
  locale: string;
}

export function renderBotFrameworkActivities(
  message: OutboundMessage,
  context: BotFrameworkRenderContext,
): Partial<Activity>[] {
  const ui = metaUiTexts(context.locale);
  const isFacebook = context.channelId === 'facebook';
  const activities: Partial<Activity>[] = [];
  const text = message.text?.trim() ?? '';
  const buttons = message.buttons ?? [];
  const choices = buttons
    .filter((b) => !b.url)
    .map((b) => ({ label: b.label, payload: b.payload ?? b.label }));
  const links: OutboundButton[] = buttons.filter((b) => b.url);
  if (message.link) links.push({ label: message.link.label ?? ui.openLink, url: message.link.url });

  if (message.media) activities.push({ type: 'message', attachments: [mediaAttachment(message.media)] });

  if (links.length > 0 && links.length + choices.length <= BOTFRAMEWORK_LIMITS.cardActions) {
    const parts = splitText(text, BOTFRAMEWORK_LIMITS.text);
    const cardText = parts.pop() ?? '';
    const actions: CardAction[] = [
      ...links.map((l) => ({
        type: 'openUrl',
        title: truncateLabel(l.label, BOTFRAMEWORK_LIMITS.title),
        value: l.url,
      })),
      ...choices.map((c) => ({
        type: 'postBack',
        title: truncateLabel(c.label, BOTFRAMEWORK_LIMITS.title),
        value: c.payload,
      })),
    ];
    activities.push(...parts.map(textActivity), {
      type: 'message',
      attachments: [
        { contentType: 'application/vnd.microsoft.card.hero', content: { text: cardText, buttons: actions } },
      ],
    });
  } else {
    const full = [text, links.map((l) => `${l.label.trim()}: ${l.url}`).join('\n')]
      .filter(Boolean)
      .join('\n\n');
    const payloadsFit =
      !isFacebook || choices.every((c) => c.payload.length <= BOTFRAMEWORK_LIMITS.facebookPayload);
    if (choices.length === 0) {
      activities.push(...splitText(full, BOTFRAMEWORK_LIMITS.text).map(textActivity));
    } else if (choices.length <= BOTFRAMEWORK_LIMITS.suggestedActions && payloadsFit) {
      const parts = splitText(full || ui.chooseBody, BOTFRAMEWORK_LIMITS.text);
      const last = parts.pop() ?? ui.chooseBody;
      const titles = choices.map((c) => truncateLabel(c.label, BOTFRAMEWORK_LIMITS.title));
      const activity: Partial<Activity> = {
        type: 'message',
        text: last,
        suggestedActions: {
          to: [],
          actions: choices.map((c, i) => ({
            type: 'postBack',
            title: titles[i] ?? c.label,
            value: c.payload,
          })),
        },
      };
      if (isFacebook) {
        // Messenger's own quick-reply shape, so the payload (not the title) comes back as quick_reply.payload.
        activity.channelData = {
          quick_replies: choices.map((c, i) => ({
            content_type: 'text',
            title: titles[i],
            payload: c.payload,
          })),
        };
      }
      activities.push(...parts.map(textActivity), activity);
    } else {
      const numbered = appendNumberedOptions(full, choices, { maxLabelLength: 60 });
      activities.push(...splitText(numbered, BOTFRAMEWORK_LIMITS.text).map(textActivity));
    }
  }

  if (activities.length === 0) throw new RangeError('the message has no text, buttons, media or link');
  if (message.tag && isFacebook) {
    for (const activity of activities) {
      const existing = (activity.channelData as Record<string, unknown> | undefined) ?? {};
      activity.channelData = { ...existing, messaging_type: 'MESSAGE_TAG', tag: message.tag };
    }
  }
  return activities;
}

function textActivity(text: string): Partial<Activity> {
  return { type: 'message', text };
}

const GUESSED_TYPES: Record<MediaReference['kind'], string> = {
  image: 'image/*',
  audio: 'audio/*',
  video: 'video/*',
  file: 'application/octet-stream',
  sticker: 'image/*',
  location: 'application/octet-stream',
};

function mediaAttachment(media: MediaReference): BotAttachment {
  if (media.kind === 'location') {
    const url = `https://www.google.com/maps/search/?api=1&query=${encodeURIComponent(media.ref)}`;
    return {
      contentType: 'application/vnd.microsoft.card.hero',
      content: {
        text: media.caption ?? media.ref,
        buttons: [{ type: 'openUrl', title: 'Maps', value: url }],
      },
    };
  }
  return {
    contentType: media.mimeType ?? GUESSED_TYPES[media.kind],
    contentUrl: media.ref,
    ...(media.caption ? { name: media.caption } : {}),
  };
}
