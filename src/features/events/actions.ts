/** The `events.*` actions flows call (names, arguments and outcomes as in docs/actions.md). */
import { z } from 'zod';
import type { ActionDefinition, ActionResult } from '../../engine/actions.js';
import { findEvent, upcomingEvents } from './records.js';
import { forgetReminders, requestReminders } from './reminders.js';
import type { EventsDb } from './tables.js';
import {
  type EventLinks,
  eventDetailsMessage,
  eventText,
  eventTitle,
  formatEventStart,
  formatShortDate,
} from './texts.js';

const FLOW_STEP = /^[a-z][a-z0-9_-]*\.[a-z][a-z0-9_-]*$/;

export interface EventActionsDeps {
  db: EventsDb;
  links: (eventId: string) => EventLinks;
  /** Step opened by the list's buttons when a flow gives no `detail`. */
  defaultDetailStep: string;
}

/** Keeps button labels within what most channels show, marking the cut. */
function shorten(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1).trimEnd()}…`;
}

/**
 * What a flow knows about the event it talks about. `event` is the variable the jump payloads set
 * (`go:events.detail?event=<id>`, the announcement's `go:events.remind?event=<id>`), so a step that reads
 * `{{vars.event}}` always means the event of the button that was pressed.
 */
function eventVars(event: NonNullable<Awaited<ReturnType<typeof findEvent>>>, locale: string) {
  return {
    event: event.id,
    event_id: event.id,
    event_title: eventTitle(event, locale),
    event_start: formatEventStart(event.startsAt, event.timeZone, locale),
  };
}

const eventArgs = z.strictObject({ event: z.string().trim().max(64) });

const listArgs = z.strictObject({
  topic: z.string().min(1).optional(),
  limit: z.number().int().min(1).max(10).default(5),
  // `go:` + 30 + `?event=` + 24 characters of id = 64 bytes, Telegram's limit for button data.
  detail: z
    .string()
    .regex(FLOW_STEP, 'detail is flow.step')
    .max(30, 'detail is at most 30 characters')
    .optional(),
});

export function createEventActions(deps: EventActionsDeps): ActionDefinition[] {
  const { db } = deps;

  const list: ActionDefinition<z.output<typeof listArgs>> = {
    name: 'events.list',
    summary: 'Lists upcoming events with a button per event that opens the detail step',
    args: listArgs as z.ZodType<z.output<typeof listArgs>>,
    outcomes: ['listed', 'none'],
    async run(args, context): Promise<ActionResult> {
      const events = await upcomingEvents(db, context.now.getTime(), {
        topic: args.topic,
        limit: args.limit,
      });
      if (events.length === 0) return { outcome: 'none' };
      const detail = args.detail ?? deps.defaultDetailStep;
      const lines = events.map(
        (e) =>
          `• ${formatEventStart(e.startsAt, e.timeZone, context.locale)} – ${eventTitle(e, context.locale)}`,
      );
      return {
        outcome: 'listed',
        messages: [
          {
            text: [eventText('list_intro', context.locale), ...lines].join('\n'),
            buttons: events.map((e) => ({
              label: shorten(
                `${formatShortDate(e.startsAt, e.timeZone, context.locale)} ${eventTitle(e, context.locale)}`,
                40,
              ),
              payload: `go:${detail}?event=${e.id}`,
            })),
          },
        ],
      };
    },
  };

  const show: ActionDefinition<z.output<typeof eventArgs>> = {
    name: 'events.show',
    summary: 'Shows one event: date in the event’s time zone, place or link, description, calendar file',
    args: eventArgs,
    outcomes: ['shown', 'not_found'],
    async run(args, context): Promise<ActionResult> {
      const event = args.event ? await findEvent(db, args.event) : null;
      if (!event) return { outcome: 'not_found' };
      return {
        outcome: 'shown',
        vars: eventVars(event, context.locale),
        messages: [eventDetailsMessage(event, context.locale, deps.links(event.id))],
      };
    },
  };

  const remind: ActionDefinition<z.output<typeof eventArgs>> = {
    name: 'events.remind',
    summary: 'Schedules the event’s reminders for this person (asking is the consent)',
    args: eventArgs,
    outcomes: ['scheduled', 'already', 'past', 'not_found'],
    async run(args, context): Promise<ActionResult> {
      const event = args.event ? await findEvent(db, args.event) : null;
      const { outcome } = await requestReminders(db, event, context.contact.id, context.now.getTime());
      // The announcement's button comes straight here: the texts after it need this event's title too.
      return { outcome, ...(event ? { vars: eventVars(event, context.locale) } : {}) };
    },
  };

  const forget: ActionDefinition<z.output<typeof eventArgs>> = {
    name: 'events.forget',
    summary: 'Cancels this person’s reminders for the event',
    args: eventArgs,
    outcomes: ['cancelled', 'none'],
    async run(args, context): Promise<ActionResult> {
      if (!args.event) return { outcome: 'none' };
      const forgotten = await forgetReminders(db, args.event, context.contact.id, context.now.getTime());
      const event = await findEvent(db, args.event);
      return {
        outcome: forgotten ? 'cancelled' : 'none',
        ...(event ? { vars: eventVars(event, context.locale) } : {}),
      };
    },
  };

  return [list, show, remind, forget] as ActionDefinition[];
}
