/** The .ics file of an event (RFC 5545 via `ics`), in UTC so every calendar shows the right local time. */
import { createEvent, type EventAttributes } from 'ics';
import { pickLocalized } from '../newsletter/localized.js';
import type { EventRecord } from './records.js';

/** Events without an end last this long in calendars. */
const DEFAULT_DURATION_HOURS = 2;

export function eventAsIcs(
  event: EventRecord,
  locale: string,
  options: { url?: string; hostname: string },
): string {
  const description = event.description ? pickLocalized(event.description, locale) : undefined;
  const location = [event.place, event.onlineUrl].filter(Boolean).join(' – ') || undefined;
  const base = {
    uid: `${event.id}@${options.hostname}`,
    productId: 'plausch/events',
    title: pickLocalized(event.title, locale),
    start: event.startsAt,
    startInputType: 'utc',
    startOutputType: 'utc',
    status: event.status === 'cancelled' ? 'CANCELLED' : 'CONFIRMED',
    // Calendars replace an imported event with the same UID only when the sequence grows.
    sequence: Math.floor(event.updatedAt / 60_000),
    lastModified: event.updatedAt,
    ...(description ? { description } : {}),
    ...(location ? { location } : {}),
    ...(event.onlineUrl || options.url ? { url: event.onlineUrl ?? options.url } : {}),
  } as const;
  const attributes: EventAttributes =
    event.endsAt !== null
      ? { ...base, end: event.endsAt, endInputType: 'utc', endOutputType: 'utc' }
      : { ...base, duration: { hours: DEFAULT_DURATION_HOURS } };
  const { error, value } = createEvent(attributes);
  if (error || !value) throw error ?? new Error(`could not build the calendar file of event ${event.id}`);
  return value;
}
