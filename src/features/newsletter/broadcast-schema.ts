/** The shape of a broadcast as the API accepts it: per-locale text, buttons, media, topic and segment. */
import { z } from 'zod';
import { TEMPLATE_NAME } from '../../channels/whatsapp-cloud/templates.js';
import {
  CHANNEL_NAMES,
  type JsonValue,
  type OutboundMessage,
  type TemplateReference,
} from '../../model/index.js';
import { pickLocalized } from './localized.js';

const localeKey = z.string().regex(/^[a-z]{2}(-[A-Z]{2})?$/, 'locale keys look like de, en or de-AT');
const localized = (max: number) =>
  z.union([
    z.string().trim().min(1, 'text must not be empty').max(max),
    z
      .record(localeKey, z.string().trim().min(1, 'text must not be empty').max(max))
      .refine((value) => Object.keys(value).length > 0, 'give the text for at least one locale'),
  ]);

/** `go:<flow>.<step>?<var>=<value>&…`: pressing it starts that step (see docs/actions.md). */
export const JUMP_PAYLOAD = /^go:[a-z][a-z0-9_-]*\.[a-z][a-z0-9_-]*(\?[A-Za-z0-9_.~%=&-]*)?$/;

const buttonSchema = z.union([
  z.strictObject({
    label: localized(40),
    url: z.url({ protocol: /^https?$/, message: 'url must be an http(s) link' }),
  }),
  z.strictObject({
    label: localized(40),
    payload: z
      .string()
      .max(64, 'a button payload has at most 64 bytes')
      .refine((p) => Buffer.byteLength(p) <= 64, 'a button payload has at most 64 bytes')
      .refine((p) => JUMP_PAYLOAD.test(p) || /^[A-Z][A-Z0-9_]*$/.test(p), {
        message: 'payload is a jump payload go:<flow>.<step>?var=value or an UPPER_CASE keyword',
      }),
  }),
]);

export const broadcastContentSchema = z.strictObject({
  text: localized(4000),
  buttons: z.array(buttonSchema).max(10, 'at most 10 buttons').optional(),
  media: z
    .strictObject({
      url: z.url({ protocol: /^https?$/, message: 'media url must be an http(s) link' }),
      kind: z.enum(['image', 'video', 'file']).default('image'),
    })
    .optional(),
  /**
   * An approved WhatsApp template (flows/whatsapp/templates.yaml) that WhatsApp Cloud recipients get instead of
   * the text when their 24-hour window is closed; without one their messages are held until they write.
   */
  whatsappTemplate: z
    .string()
    .regex(TEMPLATE_NAME, 'a template name is lowercase letters, digits and _')
    .optional(),
});
export type BroadcastContent = z.output<typeof broadcastContentSchema>;

const scalar = z.union([z.string(), z.number(), z.boolean()]);

export const segmentSchema = z
  .strictObject({
    channels: z.array(z.enum(CHANNEL_NAMES)).min(1).optional(),
    locales: z
      .array(z.string().regex(/^[a-z]{2}(-[A-Z]{2})?$/))
      .min(1)
      .optional(),
    tags: z
      .strictObject({
        all: z.array(z.string().min(1)).min(1).optional(),
        any: z.array(z.string().min(1)).min(1).optional(),
      })
      .optional(),
    /** Contact attributes that must equal these values. */
    attributes: z.record(z.string().min(1), scalar).optional(),
  })
  .default({});
export type Segment = z.output<typeof segmentSchema>;

export interface SegmentCandidate {
  channel: string;
  locale: string;
  tags: string[];
  attributes: Record<string, JsonValue>;
}

export function matchesSegment(segment: Segment, candidate: SegmentCandidate): boolean {
  if (segment.channels && !segment.channels.includes(candidate.channel as (typeof CHANNEL_NAMES)[number]))
    return false;
  if (segment.locales && !segment.locales.includes(candidate.locale)) return false;
  if (segment.tags?.all && !segment.tags.all.every((t) => candidate.tags.includes(t))) return false;
  if (segment.tags?.any && !segment.tags.any.some((t) => candidate.tags.includes(t))) return false;
  if (segment.attributes) {
    for (const [key, value] of Object.entries(segment.attributes)) {
      if (candidate.attributes[key] !== value) return false;
    }
  }
  return true;
}

/** The message one recipient gets, in their locale. */
export function renderBroadcastMessage(
  content: BroadcastContent,
  locale: string,
  defaultLocale: string,
  template?: TemplateReference | null,
): OutboundMessage {
  const message: OutboundMessage = { text: pickLocalized(content.text, locale, defaultLocale) };
  if (template) message.template = template;
  if (content.buttons && content.buttons.length > 0) {
    message.buttons = content.buttons.map((button) =>
      'url' in button
        ? { label: pickLocalized(button.label, locale, defaultLocale), url: button.url }
        : { label: pickLocalized(button.label, locale, defaultLocale), payload: button.payload },
    );
  }
  if (content.media) message.media = { kind: content.media.kind, ref: content.media.url };
  return message;
}

/** Payloads of the broadcast's jump/keyword buttons: a press of one of them counts as a click. */
export function buttonPayloads(content: BroadcastContent): string[] {
  return (content.buttons ?? []).flatMap((b) => ('payload' in b ? [b.payload] : []));
}
