/**
 * What the events feature says, in German and English: dates in the event's time zone and the person's
 * language ("Do., 10. Dezember 2026, 19:00 Uhr"), event details, reminders and change notices.
 */
import { DateTime } from 'luxon';
import type { OutboundMessage } from '../../model/index.js';
import { fillPlaceholders, type Localized, pickLocalized } from '../newsletter/localized.js';
import { DEFAULT_TIME_ZONE } from './definitions.js';
import type { EventRecord } from './records.js';

const TEXTS = {
  list_intro: { de: 'Unsere nächsten Termine:', en: 'Our upcoming events:' },
  online: { de: 'Online: {url}', en: 'Online: {url}' },
  place: { de: 'Ort: {place}', en: 'Place: {place}' },
  calendar: { de: 'In den Kalender', en: 'Add to calendar' },
  cancelled_mark: { de: 'ABGESAGT', en: 'CANCELLED' },
  reminder: {
    de: 'Erinnerung: „{title}“ beginnt {relative}.\n{date}',
    en: 'Reminder: “{title}” starts {relative}.\n{date}',
  },
  moved: {
    de: 'Terminänderung: „{title}“ wurde verschoben auf {date}.',
    en: 'Change of date: “{title}” has been moved to {date}.',
  },
  cancelled: {
    de: 'Leider abgesagt: „{title}“ am {date} findet nicht statt. Deine Erinnerungen dafür haben wir gelöscht.',
    en: 'Unfortunately cancelled: “{title}” on {date} will not take place. We have removed your reminders for it.',
  },
  reinstated: {
    de: 'Gute Nachricht: „{title}“ findet doch statt – am {date}.',
    en: 'Good news: “{title}” is on after all – on {date}.',
  },
  announcement: { de: 'Einladung: „{title}“\n{date}', en: 'Invitation: “{title}”\n{date}' },
  remind_me: { de: 'Erinnere mich', en: 'Remind me' },
} satisfies Record<string, Localized>;

export type EventTextKey = keyof typeof TEXTS;

export function eventText(key: EventTextKey, locale: string, values: Record<string, string> = {}): string {
  return fillPlaceholders(pickLocalized(TEXTS[key], locale), values);
}

export function localizedEventText(key: EventTextKey): Localized {
  return TEXTS[key];
}

function language(locale: string): string {
  return (locale.split(/[-_]/)[0] ?? locale).toLowerCase();
}

/** "Do., 10. Dezember 2026, 19:00 Uhr" / "Thu, December 10, 2026, 7:00 PM", in the event's zone. */
export function formatEventStart(startsAt: number, zone: string, locale: string): string {
  const lang = language(locale);
  const at = DateTime.fromMillis(startsAt, { zone }).setLocale(lang);
  let text: string;
  // German abbreviates weekdays with a period ("Do."); ICU's short form leaves it out.
  if (lang === 'de')
    text = `${at.toFormat('ccc').replace(/\.?$/, '.')}${at.toFormat(", d. MMMM yyyy, HH:mm 'Uhr'")}`;
  else if (lang === 'en') text = at.toFormat('ccc, MMMM d, yyyy, h:mm a');
  else text = at.toLocaleString(DateTime.DATETIME_HUGE);
  // People outside the usual zone must not guess which clock is meant.
  return zone === DEFAULT_TIME_ZONE ? text : `${text} (${at.toFormat('ZZZZ')})`;
}

/** "10.12." / "12/10" for compact list buttons. */
export function formatShortDate(startsAt: number, zone: string, locale: string): string {
  const at = DateTime.fromMillis(startsAt, { zone });
  return language(locale) === 'de' ? at.toFormat('dd.MM.') : at.toFormat('MM/dd');
}

export function eventTitle(event: EventRecord, locale: string): string {
  return pickLocalized(event.title, locale);
}

function whereLines(event: EventRecord, locale: string): string[] {
  const lines: string[] = [];
  if (event.place) lines.push(eventText('place', locale, { place: event.place }));
  if (event.onlineUrl) lines.push(eventText('online', locale, { url: event.onlineUrl }));
  return lines;
}

export interface EventLinks {
  ics: string;
}

/** The details card of `events.show`. */
export function eventDetailsMessage(event: EventRecord, locale: string, links: EventLinks): OutboundMessage {
  const title = eventTitle(event, locale);
  const heading = event.status === 'cancelled' ? `${eventText('cancelled_mark', locale)}: ${title}` : title;
  const lines = [
    heading,
    formatEventStart(event.startsAt, event.timeZone, locale),
    ...whereLines(event, locale),
  ];
  if (event.description) lines.push('', pickLocalized(event.description, locale));
  return { text: lines.join('\n'), link: { url: links.ics, label: eventText('calendar', locale) } };
}

/** The reminder sent `offset` before the start; "in 1 Tag" is computed when it is actually sent. */
export function reminderMessage(
  event: EventRecord,
  locale: string,
  now: number,
  links: EventLinks,
): OutboundMessage {
  const relative =
    DateTime.fromMillis(event.startsAt).toRelative({
      base: DateTime.fromMillis(now),
      locale: language(locale),
    }) ?? '';
  const text = [
    eventText('reminder', locale, {
      title: eventTitle(event, locale),
      relative,
      date: formatEventStart(event.startsAt, event.timeZone, locale),
    }),
    ...whereLines(event, locale),
  ].join('\n');
  return { text, link: { url: links.ics, label: eventText('calendar', locale) } };
}

export type ChangeKind = 'moved' | 'cancelled' | 'reinstated';

export function changeNoticeMessage(
  kind: ChangeKind,
  before: EventRecord,
  after: EventRecord,
  locale: string,
  links: EventLinks,
): OutboundMessage {
  const shown = kind === 'cancelled' ? before : after;
  const text = eventText(kind, locale, {
    title: eventTitle(after, locale),
    date: formatEventStart(shown.startsAt, shown.timeZone, locale),
  });
  if (kind === 'cancelled') return { text };
  return {
    text: [text, ...whereLines(after, locale)].join('\n'),
    link: { url: links.ics, label: eventText('calendar', locale) },
  };
}
