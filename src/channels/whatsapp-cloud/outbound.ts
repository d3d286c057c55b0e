/**
 * Renders an OutboundMessage as WhatsApp Cloud API message bodies (without `messaging_product`/`to`, which
 * the adapter adds): text split at 4096, ≤3 choices as reply buttons, 4–10 as a list, more as numbered
 * text; a single link as a `cta_url` button; media by link or media id; templates outside the window.
 */
import type {
  MediaReference,
  OutboundButton,
  OutboundMessage,
  TemplateReference,
} from '../../model/index.js';
import { type MetaUiTexts, metaUiTexts } from '../meta/ui-texts.js';
import { appendNumberedOptions, splitText, truncateLabel } from '../render/index.js';

export const WHATSAPP_LIMITS = {
  text: 4096,
  buttonBody: 1024,
  listBody: 4096,
  caption: 1024,
  replyButtons: 3,
  listRows: 10,
  buttonTitle: 20,
  buttonId: 256,
  rowTitle: 24,
  rowId: 200,
  rowDescription: 72,
  listButtonText: 20,
  sectionTitle: 24,
} as const;

/** One `POST /{phone-number-id}/messages` body minus `messaging_product` and `to`. */
export type WhatsAppMessageBody = { type: string } & Record<string, unknown>;

export interface WhatsAppRenderContext {
  /** The contact's locale, for the list button and section title. */
  locale: string;
}

/** True when the message has something besides its template (text, buttons, media, link). */
export function hasFreeFormContent(message: OutboundMessage): boolean {
  return Boolean(message.text?.trim() || message.buttons?.length || message.media || message.link);
}

export function renderWhatsAppTemplate(template: TemplateReference): WhatsAppMessageBody {
  const parameters = template.parameters ?? [];
  return {
    type: 'template',
    template: {
      name: template.name,
      language: { code: template.language },
      ...(parameters.length > 0
        ? { components: [{ type: 'body', parameters: parameters.map((text) => ({ type: 'text', text })) }] }
        : {}),
    },
  };
}

/** The free-form rendering; throws a RangeError when the message holds nothing sendable. */
export function renderWhatsAppMessage(
  message: OutboundMessage,
  context: WhatsAppRenderContext,
): WhatsAppMessageBody[] {
  const ui = metaUiTexts(context.locale);
  const bodies: WhatsAppMessageBody[] = [];
  let text = message.text?.trim() ?? '';
  const buttons = message.buttons ?? [];
  const choices = buttons
    .filter((b) => !b.url)
    .map((b) => ({ label: b.label, payload: b.payload ?? b.label }));
  const links: OutboundButton[] = buttons.filter((b) => b.url);
  if (message.link) links.push({ label: message.link.label ?? ui.openLink, url: message.link.url });

  if (message.media) {
    const captionFits = choices.length === 0 && links.length === 0 && text.length <= WHATSAPP_LIMITS.caption;
    const canCaption =
      message.media.kind === 'image' || message.media.kind === 'video' || message.media.kind === 'file';
    if (captionFits && canCaption && text) {
      bodies.push(renderMedia({ ...message.media, caption: text }));
      text = '';
    } else {
      bodies.push(renderMedia(message.media));
    }
  }

  if (choices.length === 0) {
    if (links.length === 1 && links[0]) {
      const link = links[0];
      const { leading, body } = splitForBody(text || link.label, WHATSAPP_LIMITS.buttonBody);
      bodies.push(...leading.map(textBody), {
        type: 'interactive',
        interactive: {
          type: 'cta_url',
          body: { text: body },
          action: {
            name: 'cta_url',
            parameters: {
              display_text: truncateLabel(link.label, WHATSAPP_LIMITS.buttonTitle),
              url: link.url,
            },
          },
        },
      });
    } else {
      const full = withLinkLines(text, links);
      bodies.push(...splitText(full, WHATSAPP_LIMITS.text).map(textBody));
    }
  } else {
    const full = withLinkLines(text, links);
    const interactive =
      choices.length <= WHATSAPP_LIMITS.replyButtons
        ? replyButtons(full || ui.chooseBody, choices, ui)
        : choices.length <= WHATSAPP_LIMITS.listRows
          ? listMessage(full || ui.chooseBody, choices, ui)
          : null;
    if (interactive) bodies.push(...interactive);
    else {
      // More choices than a list holds (or ids too long for the platform): numbered text the engine maps back.
      const numbered = appendNumberedOptions(full, choices, { maxLabelLength: 60 });
      bodies.push(...splitText(numbered, WHATSAPP_LIMITS.text).map(textBody));
    }
  }

  if (bodies.length === 0) throw new RangeError('the message has no text, buttons, media, link or template');
  return bodies;
}

interface Choice {
  label: string;
  payload: string;
}

function replyButtons(text: string, choices: Choice[], ui: MetaUiTexts): WhatsAppMessageBody[] | null {
  const titles = choices.map((c) => truncateLabel(c.label, WHATSAPP_LIMITS.buttonTitle));
  // Titles that collide once shortened would be ambiguous (and Meta rejects them): a list has longer titles.
  if (!fitsIds(choices, WHATSAPP_LIMITS.buttonId) || new Set(titles).size !== titles.length) {
    return listMessage(text, choices, ui);
  }
  const { leading, body } = splitForBody(text, WHATSAPP_LIMITS.buttonBody);
  return [
    ...leading.map(textBody),
    {
      type: 'interactive',
      interactive: {
        type: 'button',
        body: { text: body },
        action: {
          buttons: choices.map((choice, index) => ({
            type: 'reply',
            reply: { id: choice.payload, title: titles[index] },
          })),
        },
      },
    },
  ];
}

function listMessage(text: string, choices: Choice[], ui: MetaUiTexts): WhatsAppMessageBody[] | null {
  if (!fitsIds(choices, WHATSAPP_LIMITS.rowId)) return null;
  const titles = choices.map((c) => truncateLabel(c.label, WHATSAPP_LIMITS.rowTitle));
  if (new Set(titles).size !== titles.length) return null;
  const { leading, body } = splitForBody(text, WHATSAPP_LIMITS.listBody);
  return [
    ...leading.map(textBody),
    {
      type: 'interactive',
      interactive: {
        type: 'list',
        body: { text: body },
        action: {
          button: truncateLabel(ui.listButton, WHATSAPP_LIMITS.listButtonText),
          sections: [
            {
              title: truncateLabel(ui.listSection, WHATSAPP_LIMITS.sectionTitle),
              rows: choices.map((choice, index) => {
                const title = titles[index] ?? choice.label;
                // A shortened title keeps the full label readable in the description line.
                const description =
                  title !== choice.label.trim()
                    ? truncateLabel(choice.label, WHATSAPP_LIMITS.rowDescription)
                    : undefined;
                return { id: choice.payload, title, ...(description ? { description } : {}) };
              }),
            },
          ],
        },
      },
    },
  ];
}

function fitsIds(choices: Choice[], maxLength: number): boolean {
  const ids = choices.map((c) => c.payload);
  return ids.every((id) => id.length > 0 && id.length <= maxLength) && new Set(ids).size === ids.length;
}

function withLinkLines(text: string, links: OutboundButton[]): string {
  const lines = links.map((link) => `${link.label.trim()}: ${link.url}`);
  return [text, lines.join('\n')].filter((part) => part.length > 0).join('\n\n');
}

/** Leading text messages plus a final part short enough for an interactive body. */
function splitForBody(text: string, bodyLimit: number): { leading: string[]; body: string } {
  const parts = splitText(text, WHATSAPP_LIMITS.text);
  const last = parts.pop() ?? '';
  if (last.length <= bodyLimit) return { leading: parts, body: last };
  const tail = splitText(last, bodyLimit);
  const body = tail.pop() ?? '';
  return { leading: [...parts, ...tail], body };
}

function textBody(body: string): WhatsAppMessageBody {
  return { type: 'text', text: { body, preview_url: /https?:\/\//i.test(body) } };
}

function renderMedia(media: MediaReference): WhatsAppMessageBody {
  if (media.kind === 'location') {
    const [lat, lng] = media.ref.split(',').map((n) => Number(n.trim()));
    if (lat === undefined || lng === undefined || Number.isNaN(lat) || Number.isNaN(lng)) {
      return textBody(media.caption ? `${media.caption}\n${media.ref}` : media.ref);
    }
    return {
      type: 'location',
      location: { latitude: lat, longitude: lng, ...(media.caption ? { name: media.caption } : {}) },
    };
  }
  const type = media.kind === 'file' ? 'document' : media.kind;
  const source = /^https?:\/\//i.test(media.ref) ? { link: media.ref } : { id: media.ref };
  const caption =
    media.caption && type !== 'audio' && type !== 'sticker'
      ? { caption: splitText(media.caption, WHATSAPP_LIMITS.caption)[0] ?? '' }
      : {};
  return { type, [type]: { ...source, ...caption } };
}
