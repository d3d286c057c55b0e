/**
 * Stand-ins for the feature actions the sample flows call, with exactly the names, arguments and outcomes
 * of docs/actions.md and a small in-memory world (two FAQ entries, two events, two newsletter topics).
 * The lead swaps in the real actions; until then these let the flows and their conversation tests run.
 */
import { z } from 'zod';
import {
  type ActionContext,
  type ActionDefinition,
  ActionRegistry,
  type ActionResult,
} from '../../../src/engine/actions.js';
import { registerCoreActions } from '../../../src/engine/core-actions.js';
import { jumpPayload } from '../../../src/engine/payloads.js';
import type { OutboundMessage } from '../../../src/model/index.js';

const t = (context: ActionContext, de: string, en: string) => (context.locale.startsWith('en') ? en : de);

interface FaqEntry {
  id: string;
  title: { de: string; en: string };
  words: string[];
  answer: { de: string; en: string };
}

const FAQ: FaqEntry[] = [
  {
    id: 'shipping-time',
    title: { de: 'Lieferzeit', en: 'Delivery time' },
    words: ['versand', 'lieferung', 'lieferzeit', 'dauert', 'shipping', 'delivery'],
    answer: {
      de: 'Wir rösten montags und donnerstags und verschicken am selben Tag. Innerhalb Deutschlands ist dein Kaffee in 1–3 Werktagen da.',
      en: 'We roast on Mondays and Thursdays and ship the same day. Within Germany your coffee arrives in 1–3 working days.',
    },
  },
  {
    id: 'opening-hours',
    title: { de: 'Öffnungszeiten', en: 'Opening hours' },
    words: ['offen', 'geoeffnet', 'oeffnungszeiten', 'open', 'hours'],
    answer: {
      de: 'Unser Café in Leipzig hat Mo–Fr 8–18 Uhr, Sa 9–18 Uhr und So 10–16 Uhr geöffnet.',
      en: 'Our café in Leipzig is open Mon–Fri 8 am–6 pm, Sat 9 am–6 pm and Sun 10 am–4 pm.',
    },
  },
];

const EVENTS = [
  { id: 'cupping-0312', title: 'Cupping: Äthiopien', start: 'Sa., 12.12.2026, 11:00', past: false },
  { id: 'roastkurs-0109', title: 'Röstkurs für Einsteiger', start: 'Sa., 09.01.2027, 14:00', past: false },
  { id: 'sommerfest-0707', title: 'Sommerfest', start: 'Di., 07.07.2026, 18:00', past: true },
];

const TOPICS: Record<string, { de: string; en: string }> = {
  'roast-news': { de: 'Röst-News', en: 'Roast news' },
  events: { de: 'Events & Verkostungen', en: 'Events & tastings' },
};

function normalizeWords(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/ä/g, 'ae')
    .replace(/ö/g, 'oe')
    .replace(/ü/g, 'ue')
    .replace(/ß/g, 'ss')
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

function define<Args>(action: ActionDefinition<Args>): ActionDefinition<unknown> {
  return action as ActionDefinition<unknown>;
}

/** A fresh registry with the core actions and stand-ins; each conversation test gets its own world. */
export function createStandInActions(): ActionRegistry {
  const newsletter = new Map<string, 'pending' | 'confirmed'>();
  const reminders = new Set<string>();
  const registry = registerCoreActions(new ActionRegistry());

  registry.register(
    define({
      name: 'faq.answer',
      summary: 'answer the customer question from the knowledge base (stand-in)',
      args: z.strictObject({ tags: z.array(z.string()).optional(), threshold: z.number().optional() }),
      outcomes: ['answered', 'clarify', 'unknown'],
      async run(_args, context) {
        const words = new Set(normalizeWords(context.input?.text ?? ''));
        const hits = FAQ.filter((entry) => entry.words.some((w) => words.has(w)));
        if (words.has('kaffee') || words.has('coffee')) {
          // "Kaffee" alone is too vague: offer the candidates as faq:<id> buttons.
          const message: OutboundMessage = {
            text: t(context, 'Meinst du eins davon?', 'Did you mean one of these?'),
            buttons: FAQ.map((entry) => ({
              label: t(context, entry.title.de, entry.title.en),
              payload: `faq:${entry.id}`,
            })),
          };
          return { outcome: 'clarify', messages: [message] };
        }
        const hit = hits[0];
        if (!hit) return { outcome: 'unknown' };
        return {
          outcome: 'answered',
          vars: { faq_entry: hit.id },
          messages: [{ text: t(context, hit.answer.de, hit.answer.en) }],
        };
      },
    }),
  );

  registry.register(
    define({
      name: 'faq.show',
      summary: 'show one knowledge-base entry (stand-in)',
      args: z.strictObject({ entry: z.string().optional() }),
      outcomes: ['answered', 'unknown'],
      async run(args, context) {
        const id = args.entry || context.input?.payload?.replace(/^faq:/, '');
        const entry = FAQ.find((e) => e.id === id);
        if (!entry) return { outcome: 'unknown' };
        return {
          outcome: 'answered',
          vars: { faq_entry: entry.id },
          messages: [{ text: t(context, entry.answer.de, entry.answer.en) }],
        };
      },
    }),
  );

  registry.register(
    define({
      name: 'handoff',
      summary: 'hand the conversation to a person (stand-in: the team works Mon–Fri 9–17 UTC+1)',
      args: z.strictObject({ reason: z.string().optional(), team: z.string().optional() }),
      outcomes: ['queued', 'after_hours'],
      async run(args, context) {
        const berlin = new Date(context.now.getTime() + 60 * 60 * 1000);
        const day = berlin.getUTCDay();
        const hour = berlin.getUTCHours();
        const open = day >= 1 && day <= 5 && hour >= 9 && hour < 17;
        return {
          outcome: open ? 'queued' : 'after_hours',
          vars: {
            handoff_wait: open
              ? t(context, 'etwa 10 Minuten', 'about 10 minutes')
              : t(context, 'am Montag ab 9 Uhr', 'on Monday from 9 am'),
          },
          effects: [
            {
              kind: 'handoff',
              reason: args.reason ?? 'customer_request',
              ...(args.team ? { team: args.team } : {}),
            },
          ],
        };
      },
    }),
  );

  const topicArgs = z.strictObject({ topic: z.string().min(1) });
  registry.register(
    define({
      name: 'newsletter.request',
      summary: 'start a double opt-in for a topic (stand-in)',
      args: topicArgs,
      outcomes: ['pending', 'already', 'unknown_topic'],
      async run({ topic }, context): Promise<ActionResult> {
        const name = TOPICS[topic];
        if (!name) return { outcome: 'unknown_topic' };
        const key = `${context.contact.id}:${topic}`;
        if (newsletter.get(key) === 'confirmed')
          return { outcome: 'already', vars: { newsletter_topic: topic } };
        newsletter.set(key, 'pending');
        const consentText = t(
          context,
          `Ich möchte den Newsletter „${name.de}“ der Kaffeerösterei Bohnenglück per Chat erhalten. Meine Einwilligung kann ich jederzeit mit STOP widerrufen.`,
          `I would like to receive the "${name.en}" newsletter from Kaffeerösterei Bohnenglück in this chat. I can withdraw my consent any time by typing STOP.`,
        );
        // Like the real action: the consent text is sent by the action itself (docs/actions.md).
        return {
          outcome: 'pending',
          vars: { newsletter_topic: topic, newsletter_consent_text: consentText },
          messages: [{ text: consentText }],
        };
      },
    }),
  );
  registry.register(
    define({
      name: 'newsletter.confirm',
      summary: 'confirm a pending opt-in (stand-in)',
      args: topicArgs,
      outcomes: ['confirmed', 'not_pending'],
      async run({ topic }, context) {
        const key = `${context.contact.id}:${topic}`;
        if (newsletter.get(key) !== 'pending') return { outcome: 'not_pending' };
        newsletter.set(key, 'confirmed');
        return { outcome: 'confirmed' };
      },
    }),
  );
  registry.register(
    define({
      name: 'newsletter.decline',
      summary: 'record a declined opt-in (stand-in)',
      args: topicArgs,
      outcomes: ['ok'],
      async run({ topic }, context) {
        newsletter.delete(`${context.contact.id}:${topic}`);
        return { outcome: 'ok' };
      },
    }),
  );
  registry.register(
    define({
      name: 'newsletter.unsubscribe',
      summary: 'unsubscribe from one or all topics (stand-in)',
      args: z.strictObject({ topic: z.string().optional() }),
      outcomes: ['unsubscribed', 'not_subscribed'],
      async run({ topic }, context) {
        const keys = [...newsletter.keys()].filter(
          (k) => k.startsWith(`${context.contact.id}:`) && (!topic || k.endsWith(`:${topic}`)),
        );
        for (const key of keys) newsletter.delete(key);
        return { outcome: keys.length > 0 ? 'unsubscribed' : 'not_subscribed' };
      },
    }),
  );
  registry.register(
    define({
      name: 'newsletter.status',
      summary: 'which topics the contact gets (stand-in)',
      args: z.strictObject({}),
      outcomes: ['subscribed', 'none'],
      async run(_args, context) {
        const topics = [...newsletter.entries()]
          .filter(([k, v]) => k.startsWith(`${context.contact.id}:`) && v === 'confirmed')
          .map(([k]) => k.split(':')[1] ?? '');
        return { outcome: topics.length > 0 ? 'subscribed' : 'none', vars: { newsletter_topics: topics } };
      },
    }),
  );

  registry.register(
    define({
      name: 'events.list',
      summary: 'list upcoming events as buttons (stand-in)',
      args: z.strictObject({
        topic: z.string().optional(),
        limit: z.number().int().min(1).max(10).optional(),
        detail: z.string().optional(),
      }),
      outcomes: ['listed', 'none'],
      async run(args, context) {
        const upcoming = EVENTS.filter((e) => !e.past).slice(0, args.limit ?? 5);
        if (upcoming.length === 0) return { outcome: 'none' };
        const target = args.detail ?? `${context.flowId}.detail`;
        return {
          outcome: 'listed',
          messages: [
            {
              text: t(context, 'Das sind unsere nächsten Termine:', 'Here is what is coming up:'),
              buttons: upcoming.map((e) => ({
                label: e.title,
                payload: jumpPayload(target, { event: e.id }),
              })),
            },
          ],
        };
      },
    }),
  );
  const eventArgs = z.strictObject({ event: z.string().min(1) });
  registry.register(
    define({
      name: 'events.show',
      summary: 'look up one event (stand-in)',
      args: eventArgs,
      outcomes: ['shown', 'not_found'],
      async run({ event }) {
        const found = EVENTS.find((e) => e.id === event);
        if (!found) return { outcome: 'not_found' };
        return {
          outcome: 'shown',
          vars: { event_id: found.id, event_title: found.title, event_start: found.start },
        };
      },
    }),
  );
  registry.register(
    define({
      name: 'events.remind',
      summary: 'schedule a reminder the day before (stand-in)',
      args: eventArgs,
      outcomes: ['scheduled', 'already', 'past', 'not_found'],
      async run({ event }, context) {
        const found = EVENTS.find((e) => e.id === event);
        if (!found) return { outcome: 'not_found' };
        if (found.past) return { outcome: 'past' };
        const key = `${context.contact.id}:${event}`;
        if (reminders.has(key)) return { outcome: 'already' };
        reminders.add(key);
        return { outcome: 'scheduled' };
      },
    }),
  );
  registry.register(
    define({
      name: 'events.forget',
      summary: 'cancel a reminder (stand-in)',
      args: eventArgs,
      outcomes: ['cancelled', 'none'],
      async run({ event }, context) {
        return { outcome: reminders.delete(`${context.contact.id}:${event}`) ? 'cancelled' : 'none' };
      },
    }),
  );

  registry.register(
    define({
      name: 'referral.link',
      summary: 'the contact’s personal referral link (stand-in)',
      args: z.strictObject({ campaign: z.string().optional() }),
      outcomes: ['ok'],
      async run() {
        return {
          outcome: 'ok',
          vars: { referral_code: 'ab12cd', referral_url: 'https://bohnenglueck.example/r/ab12cd' },
        };
      },
    }),
  );
  registry.register(
    define({
      name: 'referral.stats',
      summary: 'clicks, joins and conversions of the contact’s link (stand-in)',
      args: z.strictObject({}),
      outcomes: ['ok'],
      async run() {
        return { outcome: 'ok', vars: { referral_clicks: 7, referral_joined: 2, referral_conversions: 1 } };
      },
    }),
  );

  registry.register(
    define({
      name: 'crm.lead',
      summary: 'hand a lead to the CRM (stand-in)',
      args: z.strictObject({ fields: z.array(z.string()).optional(), campaign: z.string().optional() }),
      outcomes: ['queued', 'disabled'],
      async run() {
        return { outcome: 'queued' };
      },
    }),
  );
  return registry;
}
