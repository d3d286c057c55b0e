/**
 * Handoff settings (`flows/handoff/settings.yaml`): phrases asking for a person and complaint words per locale,
 * teams, office hours and the texts the customer is told. Parsed with zod; problems come as file:line:column.
 */
import { IANAZone } from 'luxon';
import { z } from 'zod';
import { parseYamlOrThrow, readYamlFileOrThrow } from '../../yaml/validated-yaml.js';

const localized = z.record(z.string().min(2).max(8), z.string().min(1));
const phraseList = z.record(z.string().min(2).max(8), z.array(z.string().min(1)));
const time = z.string().regex(/^([01]\d|2[0-4]):[0-5]\d$/, 'use HH:MM (24 hours)');
const interval = z
  .tuple([time, time])
  .refine(([from, to]) => from < to, 'the opening time must come before the closing time');
const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

const CSAT_TEXT_DEFAULTS = {
  /** `{{name}}`: the first name of the agent who helped. */
  question_five: {
    de: 'Wie zufrieden warst du mit der Hilfe von {{name}}? Antworte mit einer Zahl von 1 (gar nicht) bis 5 (sehr zufrieden).',
    en: 'How happy were you with the help from {{name}}? Reply with a number from 1 (not at all) to 5 (very happy).',
  },
  question_thumbs: {
    de: 'War die Hilfe von {{name}} gut? Antworte mit 👍 oder 👎.',
    en: 'Was the help from {{name}} good? Reply with 👍 or 👎.',
  },
  thanks: {
    de: 'Danke für deine Bewertung! Wenn du magst, schreib uns in einer Nachricht, was gut war oder was wir besser machen können.',
    en: 'Thanks for your rating! If you like, tell us in one message what was good or what we could do better.',
  },
  comment_thanks: {
    de: 'Danke, das geben wir ans Team weiter.',
    en: "Thanks, we'll pass that on to the team.",
  },
  /** The button that skips the comment. */
  no_comment: { de: 'Nein, danke', en: 'No, thanks' },
};

const CSAT_DEFAULTS = {
  enabled: true,
  scale: 'five' as const,
  ask_on_return: true,
  answer_hours: 24,
  comment_minutes: 10,
  texts: CSAT_TEXT_DEFAULTS,
};

const csatSchema = z.strictObject({
  enabled: z.boolean().default(true),
  /** five: 1–5; thumbs: 👍 / 👎 (stored as 5 / 1, so averages and "satisfied" read the same). */
  scale: z.enum(['five', 'thumbs'], { message: 'scale is five or thumbs' }).default('five'),
  /** Also ask when an agent hands the chat back to the bot (not into a flow step, which speaks itself). */
  ask_on_return: z.boolean().default(true),
  /** How long a typed digit still counts as the answer. */
  answer_hours: z
    .number()
    .positive()
    .max(24 * 14)
    .default(24),
  /** After a rating, the customer's next message within this time is its comment. 0 = no comment asked. */
  comment_minutes: z
    .number()
    .min(0)
    .max(24 * 60)
    .default(10),
  texts: z
    .strictObject({
      question_five: localized.default(CSAT_TEXT_DEFAULTS.question_five),
      question_thumbs: localized.default(CSAT_TEXT_DEFAULTS.question_thumbs),
      thanks: localized.default(CSAT_TEXT_DEFAULTS.thanks),
      comment_thanks: localized.default(CSAT_TEXT_DEFAULTS.comment_thanks),
      no_comment: localized.default(CSAT_TEXT_DEFAULTS.no_comment),
    })
    .default(CSAT_TEXT_DEFAULTS),
});

export const handoffSettingsSchema = z.strictObject({
  /** Where an interceptor-triggered handoff enters the flows (`flow.step`); the step calls the `handoff` action. */
  entry: z
    .string()
    .regex(/^[\w-]+\.[\w-]+$/, 'use flow.step')
    .default('handoff.connect'),
  phrases: phraseList.default({}),
  complaint_words: phraseList.default({}),
  default_team: z.string().min(1).default('service'),
  teams: z
    .record(z.string().min(1), z.strictObject({ name: localized, complaint: z.boolean().default(false) }))
    .default({}),
  office_hours: z.strictObject({
    time_zone: z
      .string()
      .refine((zone) => IANAZone.isValidZone(zone), 'not an IANA time zone (e.g. Europe/Berlin)'),
    weekly: z.partialRecord(z.enum(WEEKDAYS), z.array(interval)),
    holidays: z.array(z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'use YYYY-MM-DD')).default([]),
  }),
  expected_wait: z
    .strictObject({
      /** Fewer recent handoffs than this: the wait is unknown and the customer hears no minutes. */
      min_samples: z.number().int().min(1).default(5),
      /** How far back recent handoffs count. */
      window_days: z.number().int().min(1).default(14),
    })
    .default({ min_samples: 5, window_days: 14 }),
  texts: z.strictObject({
    /** `{{minutes}}`: the median wait. Used as `handoff_wait` in the flow's text. */
    wait_minutes: localized,
    /** `{{when}}`: the next opening, formatted in the contact's locale. */
    next_opening: localized,
    already_waiting: localized,
    /** Told when a person takes the conversation over; `{{name}}`: the agent's first name. */
    agent_joined: localized.default({
      de: '{{name}} aus dem Team ist jetzt für dich da.',
      en: '{{name}} from the team is here for you now.',
    }),
    /** Told when the conversation goes back to the bot. */
    bot_back: localized.default({
      de: 'Du schreibst jetzt wieder mit dem Chat-Assistenten. Schreib „Mitarbeiter“, wenn du wieder jemanden aus dem Team brauchst.',
      en: "You're chatting with the assistant again. Write “agent” whenever you need someone from the team.",
    }),
  }),
  /**
   * Service levels: how long a queued customer may wait for a person (minutes), per reason; complaints are
   * listed first in the queue and usually have the shorter target.
   */
  sla: z
    .strictObject({
      wait_minutes: z.number().positive().max(1440).default(10),
      complaint_wait_minutes: z.number().positive().max(1440).default(5),
    })
    .default({ wait_minutes: 10, complaint_wait_minutes: 5 }),
  /** The rating question after a conversation with a person (CSAT); see docs/handoff.md. */
  csat: csatSchema.default(CSAT_DEFAULTS),
  /** Who gets a new waiting chat: nobody until someone takes it (manual) or the next available agent. */
  assignment: z
    .strictObject({
      mode: z.enum(['manual', 'round_robin'], { message: 'mode is manual or round_robin' }).default('manual'),
      /** An agent with this many open chats gets no more automatically (taking over by hand still works). */
      max_chats_per_agent: z.number().int().min(1).max(100).default(3),
    })
    .default({ mode: 'manual', max_chats_per_agent: 3 }),
});

/** The waiting-time target of a handoff with this reason, in milliseconds. */
export function slaTargetMs(settings: Pick<HandoffSettings, 'sla'>, reason: string): number {
  return (reason === 'complaint' ? settings.sla.complaint_wait_minutes : settings.sla.wait_minutes) * 60_000;
}

export type HandoffSettings = z.output<typeof handoffSettingsSchema>;
export type CsatSettings = HandoffSettings['csat'];
export type Weekday = (typeof WEEKDAYS)[number];
export const WEEKDAY_KEYS = WEEKDAYS;

export function loadHandoffSettings(file: string): HandoffSettings {
  return readYamlFileOrThrow(handoffSettingsSchema, file);
}

export function parseHandoffSettings(text: string, file = 'handoff/settings.yaml'): HandoffSettings {
  return parseYamlOrThrow(handoffSettingsSchema, text, file);
}

export { pickLocalized } from '../../text/localized.js';
