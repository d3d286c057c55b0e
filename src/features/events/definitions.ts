/**
 * What an event is, as marketers write it in `flows/events/*.yaml` and the API accepts it: per-locale
 * title and description, wall-clock start/end in an IANA time zone, place or online link, audience topic,
 * reminder offsets and status. Also turns a definition into stored UTC instants.
 */
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { DateTime, Duration, IANAZone } from 'luxon';
import { z } from 'zod';
import {
  parseYamlOrThrow,
  readYamlFileOrThrow,
  SourceError,
  type SourceProblem,
} from '../../yaml/validated-yaml.js';

/** Short enough that `go:<flow>.<step>?event=<id>` fits Telegram's 64-byte callback data. */
export const EVENT_ID = /^[a-z0-9][a-z0-9-]{0,23}$/;
export const DEFAULT_TIME_ZONE = 'Europe/Berlin';
export const DEFAULT_REMINDERS = ['P1D', 'PT1H'];

const localeKey = z.string().regex(/^[a-z]{2}(-[A-Z]{2})?$/, 'locale keys look like de, en or de-AT');
const localized = (max: number) =>
  z.union(
    [
      z.string().trim().min(1).max(max),
      z
        .record(localeKey, z.string().trim().min(1).max(max))
        .refine((v) => Object.keys(v).length > 0, 'give the text for at least one locale'),
    ],
    { error: `a text (at most ${max} characters), or texts per locale like { de: …, en: … }` },
  );

const localDateTime = z
  .string()
  .regex(
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/,
    'a local date-time like 2026-12-10T19:00 (no offset: time_zone says where)',
  );

const reminderOffset = z.string().refine(
  (value) => {
    const duration = Duration.fromISO(value);
    return duration.isValid && duration.toMillis() > 0 && duration.toMillis() <= 90 * 24 * 3600 * 1000;
  },
  { message: 'a reminder is an ISO-8601 duration before the start between PT1M and P90D, e.g. P1D or PT1H' },
);

const fields = {
  title: localized(120),
  description: localized(2000).optional(),
  start: localDateTime,
  end: localDateTime.optional(),
  time_zone: z
    .string()
    .refine((zone) => IANAZone.isValidZone(zone), 'time_zone is an IANA zone like Europe/Berlin')
    .default(DEFAULT_TIME_ZONE),
  place: z.string().trim().min(1).max(300).optional(),
  online_url: z.url({ protocol: /^https?$/, message: 'online_url must be an http(s) link' }).optional(),
  topic: z
    .string()
    .regex(/^[a-z][a-z0-9-]{0,31}$/, 'topic is a newsletter topic id like events')
    .optional(),
  reminders: z
    .array(reminderOffset)
    .max(5, 'at most 5 reminders')
    .refine((list) => new Set(list).size === list.length, 'reminders must not repeat')
    .default(DEFAULT_REMINDERS),
  status: z.enum(['scheduled', 'cancelled']).default('scheduled'),
};

function checkTimes(
  value: { start: string; end?: string | undefined; time_zone: string },
  ctx: z.RefinementCtx,
): void {
  // Shape problems are already reported by the field's own rule; do not report them twice.
  const shape = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/;
  if (!shape.test(value.start) || (value.end !== undefined && !shape.test(value.end))) return;
  if (!IANAZone.isValidZone(value.time_zone)) return;
  const start = DateTime.fromISO(value.start, { zone: value.time_zone });
  if (!start.isValid) {
    ctx.addIssue({
      code: 'custom',
      path: ['start'],
      message: `start is not a valid date-time (${start.invalidExplanation})`,
    });
    return;
  }
  if (value.end !== undefined) {
    const end = DateTime.fromISO(value.end, { zone: value.time_zone });
    if (!end.isValid)
      ctx.addIssue({ code: 'custom', path: ['end'], message: 'end is not a valid date-time' });
    else if (end <= start)
      ctx.addIssue({ code: 'custom', path: ['end'], message: 'end must be after start' });
  }
}

export const eventDefinitionSchema = z
  .strictObject({
    id: z.string().regex(EVENT_ID, 'an event id is lowercase a-z, 0-9 and -, at most 24 characters'),
    ...fields,
  })
  .superRefine(checkTimes);
export type EventDefinition = z.output<typeof eventDefinitionSchema>;

/** POST /events: like the YAML, the id may be left out (one is generated). */
export const eventCreateSchema = z
  .strictObject({
    id: z
      .string()
      .regex(EVENT_ID, 'an event id is lowercase a-z, 0-9 and -, at most 24 characters')
      .optional(),
    ...fields,
  })
  .superRefine(checkTimes);

/** PATCH /events/:id: any field but the id; null clears an optional one. */
export const eventPatchSchema = z
  .strictObject({
    title: fields.title.optional(),
    description: localized(2000).nullable().optional(),
    start: localDateTime.optional(),
    end: localDateTime.nullable().optional(),
    time_zone: z
      .string()
      .refine((zone) => IANAZone.isValidZone(zone), 'time_zone is an IANA zone like Europe/Berlin')
      .optional(),
    place: z.string().trim().min(1).max(300).nullable().optional(),
    online_url: z
      .url({ protocol: /^https?$/, message: 'online_url must be an http(s) link' })
      .nullable()
      .optional(),
    topic: z
      .string()
      .regex(/^[a-z][a-z0-9-]{0,31}$/)
      .nullable()
      .optional(),
    reminders: z.array(reminderOffset).max(5).optional(),
    status: z.enum(['scheduled', 'cancelled']).optional(),
  })
  .refine((p) => Object.keys(p).length > 0, 'give at least one field to change');
export type EventPatch = z.output<typeof eventPatchSchema>;

export const eventsFileSchema = z
  .strictObject({ events: z.array(eventDefinitionSchema) })
  .superRefine((file, ctx) => {
    const seen = new Set<string>();
    file.events.forEach((event, index) => {
      if (seen.has(event.id)) {
        ctx.addIssue({
          code: 'custom',
          path: ['events', index, 'id'],
          message: `event "${event.id}" is defined twice`,
        });
      }
      seen.add(event.id);
    });
  });

/** Wall-clock time in a zone → epoch ms. A time that does not exist (DST gap) moves forward, as clocks do. */
export function instantOf(local: string, zone: string): number {
  return DateTime.fromISO(local, { zone }).toMillis();
}

/** When a reminder `offset` before the start is due: calendar-aware in the event's zone (P1D = same time the day before). */
export function reminderDueAt(startsAt: number, zone: string, offset: string): number {
  return DateTime.fromMillis(startsAt, { zone }).minus(Duration.fromISO(offset)).toMillis();
}

export interface LoadedEventDefinition {
  definition: EventDefinition;
  /** Relative to the flows directory, e.g. events/winter-2026.yaml. */
  file: string;
}

/**
 * Reads every `*.yaml` in the events directory; throws a SourceError listing all problems. `drafts` (by file
 * name) replace or add files without writing them: the console's workbench validates an edit this way.
 */
export function loadEventDefinitions(
  eventsDir: string,
  flowsDir: string,
  drafts: ReadonlyMap<string, string> = new Map(),
): LoadedEventDefinition[] {
  let files: string[];
  try {
    files = readdirSync(eventsDir);
  } catch {
    files = [];
  }
  files = [...new Set([...files, ...drafts.keys()])]
    .filter((f) => !f.startsWith('.') && (f.endsWith('.yaml') || f.endsWith('.yml')))
    .sort();
  const problems: SourceProblem[] = [];
  const loaded: LoadedEventDefinition[] = [];
  const seen = new Map<string, string>();
  for (const name of files) {
    const path = join(eventsDir, name);
    const inFlows = relative(flowsDir, path);
    const file = inFlows.startsWith('..') ? path : inFlows;
    try {
      const draft = drafts.get(name);
      const parsed =
        draft === undefined
          ? readYamlFileOrThrow(eventsFileSchema, path)
          : parseYamlOrThrow(eventsFileSchema, draft, path);
      for (const definition of parsed.events) {
        const other = seen.get(definition.id);
        if (other) {
          problems.push({
            file: path,
            line: 1,
            column: 1,
            message: `event "${definition.id}" is also defined in ${other}`,
          });
        }
        seen.set(definition.id, file);
        loaded.push({ definition, file });
      }
    } catch (error) {
      if (error instanceof SourceError) problems.push(...error.problems);
      else throw error;
    }
  }
  if (problems.length > 0) throw new SourceError(problems);
  return loaded;
}
