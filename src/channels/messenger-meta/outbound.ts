/**
 * Renders an OutboundMessage as Messenger Send API `message` objects: text split at 2000, up to 13 choices
 * as quick replies, link buttons (with at most 3 buttons in all) as a button template, more choices as
 * numbered text, media as attachments by URL.
 */
import type { MediaReference, OutboundButton, OutboundMessage } from '../../model/index.js';
import { metaUiTexts } from '../meta/ui-texts.js';
import { appendNumberedOptions, splitText, truncateLabel } from '../render/index.js';

export const MESSENGER_LIMITS = {
  text: 2000,
  quickReplies: 13,
  quickReplyTitle: 20,
  quickReplyPayload: 1000,
  templateText: 640,
  templateButtons: 3,
  buttonTitle: 20,
} as const;

/** The `message` field of one Send API call. */
export type MessengerMessageBody = Record<string, unknown>;

export interface MessengerRenderContext {
  locale: string;
}

interface Choice {
  label: string;
  payload: string;
}

export function renderMessengerMessage(
  message: OutboundMessage,
  context: MessengerRenderContext,
): MessengerMessageBody[] {
  const ui = metaUiTexts(context.locale);
  const bodies: MessengerMessageBody[] = [];
  const text = message.text?.trim() ?? '';
  const buttons = message.buttons ?? [];
  const choices: Choice[] = buttons
    .filter((b) => !b.url)
    .map((b) => ({ label: b.label, payload: b.payload ?? b.label }));
  const links: OutboundButton[] = buttons.filter((b) => b.url);
  if (message.link) links.push({ label: message.link.label ?? ui.openLink, url: message.link.url });

  if (message.media) bodies.push(renderMedia(message.media));

  const payloadsFit = choices.every(
    (c) => c.payload.length > 0 && c.payload.length <= MESSENGER_LIMITS.quickReplyPayload,
  );
  if (links.length > 0 && choices.length + links.length <= MESSENGER_LIMITS.templateButtons && payloadsFit) {
    const parts = splitText(text || links[0]?.label || ui.openLink, MESSENGER_LIMITS.text);
    const last = parts.pop() ?? '';
    const tail = splitText(last, MESSENGER_LIMITS.templateText);
    const templateText = tail.pop() ?? '';
    bodies.push(...[...parts, ...tail].map(textBody), {
      attachment: {
        type: 'template',
        payload: {
          template_type: 'button',
          text: templateText,
          buttons: [
            ...links.map((l) => ({
              type: 'web_url',
              url: l.url,
              title: truncateLabel(l.label, MESSENGER_LIMITS.buttonTitle),
            })),
            ...choices.map((c) => ({
              type: 'postback',
              title: truncateLabel(c.label, MESSENGER_LIMITS.buttonTitle),
              payload: c.payload,
            })),
          ],
        },
      },
    });
    return bodies;
  }

  const full = [text, links.map((l) => `${l.label.trim()}: ${l.url}`).join('\n')]
    .filter(Boolean)
    .join('\n\n');
  if (choices.length === 0) {
    bodies.push(...splitText(full, MESSENGER_LIMITS.text).map(textBody));
  } else if (choices.length <= MESSENGER_LIMITS.quickReplies && payloadsFit) {
    const parts = splitText(full || ui.chooseBody, MESSENGER_LIMITS.text);
    const last = parts.pop() ?? ui.chooseBody;
    bodies.push(...parts.map(textBody), {
      text: last,
      quick_replies: choices.map((c) => ({
        content_type: 'text',
        title: truncateLabel(c.label, MESSENGER_LIMITS.quickReplyTitle),
        payload: c.payload,
      })),
    });
  } else {
    // Too many choices (or payloads too long to carry): numbered text the engine maps back.
    bodies.push(
      ...splitText(appendNumberedOptions(full, choices, { maxLabelLength: 60 }), MESSENGER_LIMITS.text).map(
        textBody,
      ),
    );
  }
  if (bodies.length === 0) throw new RangeError('the message has no text, buttons, media or link');
  return bodies;
}

function textBody(text: string): MessengerMessageBody {
  return { text };
}

function renderMedia(media: MediaReference): MessengerMessageBody {
  if (media.kind === 'location') {
    const where = `https://www.google.com/maps/search/?api=1&query=${encodeURIComponent(media.ref)}`;
    return { text: media.caption ? `${media.caption}\n${where}` : where };
  }
  const type = media.kind === 'sticker' ? 'image' : media.kind;
  return { attachment: { type, payload: { url: media.ref, is_reusable: true } } };
}
