/** Office hours: whether the team is in at a moment, and when it next opens (in the configured time zone). */
import { DateTime } from 'luxon';
import { type HandoffSettings, WEEKDAY_KEYS } from './settings.js';

type OfficeHours = HandoffSettings['office_hours'];

function intervalsOn(hours: OfficeHours, day: DateTime): Array<{ start: DateTime; end: DateTime }> {
  if (hours.holidays.includes(day.toISODate() ?? '')) return [];
  const key = WEEKDAY_KEYS[day.weekday - 1];
  const list = key ? (hours.weekly[key] ?? []) : [];
  return list.map(([from, to]) => ({ start: atTime(day, from), end: atTime(day, to) }));
}

function atTime(day: DateTime, hhmm: string): DateTime {
  const [h, m] = hhmm.split(':').map(Number);
  return day.startOf('day').plus({ hours: h ?? 0, minutes: m ?? 0 });
}

export function isWithinOfficeHours(hours: OfficeHours, now: Date): boolean {
  const local = DateTime.fromJSDate(now, { zone: hours.time_zone });
  return intervalsOn(hours, local).some(({ start, end }) => local >= start && local < end);
}

/** The next moment the team opens after `now` (within 60 days), or null when no opening is configured. */
export function nextOpening(hours: OfficeHours, now: Date): Date | null {
  const local = DateTime.fromJSDate(now, { zone: hours.time_zone });
  for (let offset = 0; offset < 60; offset += 1) {
    const day = local.plus({ days: offset });
    for (const { start } of intervalsOn(hours, day)) {
      if (start > local) return start.toJSDate();
    }
  }
  return null;
}

/** "Montag ab 9:00 Uhr" / "Monday from 9:00 AM" in the contact's locale and the team's time zone. */
export function formatOpening(when: Date, hours: OfficeHours, locale: string): string {
  const local = DateTime.fromJSDate(when, { zone: hours.time_zone }).setLocale(locale);
  return locale === 'de' ? local.toFormat("cccc 'ab' H:mm 'Uhr'") : local.toFormat("cccc 'from' h:mm a");
}
