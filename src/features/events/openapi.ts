/** The events feature's part of /api/v1/openapi.json. */
import { z } from 'zod';
import type { OpenApiFragment } from '../../http/api-support.js';
import { announceSchema } from './api.js';
import { eventCreateSchema, eventPatchSchema } from './definitions.js';

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: unknown) => ({ content: { 'application/json': { schema } } });
const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };
const errors = {
  '400': { description: 'Invalid input; `details` lists every problem by field' },
  '401': { description: 'Missing or invalid bearer token' },
  '404': { description: 'Not found' },
  '409': { description: 'Not possible: event defined in YAML, cancelled, started, or id taken' },
};
const toSchema = (schema: z.ZodType) => z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });

export function eventsOpenApi(): OpenApiFragment {
  return {
    schemas: {
      EventCreate: toSchema(eventCreateSchema),
      EventPatch: toSchema(eventPatchSchema),
      EventAnnouncement: toSchema(announceSchema),
    },
    paths: {
      '/events': {
        get: {
          tags: ['events'],
          summary: 'Upcoming events (include_past=true for all)',
          parameters: [
            { name: 'include_past', in: 'query', schema: { enum: ['true', 'false'] } },
            { name: 'topic', in: 'query', schema: { type: 'string' } },
            { name: 'status', in: 'query', schema: { enum: ['scheduled', 'cancelled'] } },
            { name: 'limit', in: 'query', schema: { type: 'integer' } },
            { name: 'offset', in: 'query', schema: { type: 'integer' } },
          ],
          responses: { '200': { description: 'Events' } },
        },
        post: {
          tags: ['events'],
          summary: 'Create an event',
          requestBody: json(ref('EventCreate')),
          responses: { '201': { description: 'Created' }, ...errors },
        },
      },
      '/events/{id}': {
        get: {
          tags: ['events'],
          summary: 'One event',
          parameters: [idParam],
          responses: { '200': { description: 'Event' }, ...errors },
        },
        patch: {
          tags: ['events'],
          summary: 'Change an API event; a move or cancellation re-times reminders and notifies who asked',
          parameters: [idParam],
          requestBody: json(ref('EventPatch')),
          responses: { '200': { description: 'Changed event and the notice sent' }, ...errors },
        },
        delete: {
          tags: ['events'],
          summary: 'Cancel (notifying who asked) and hide an API event',
          parameters: [idParam],
          responses: { '204': { description: 'Deleted' }, ...errors },
        },
      },
      '/events/{id}/reminders': {
        get: {
          tags: ['events'],
          summary: 'Reminder counts by status and offset',
          parameters: [idParam],
          responses: { '200': { description: 'Counts' }, ...errors },
        },
      },
      '/events/{id}/announce': {
        post: {
          tags: ['events'],
          summary: 'Broadcast the event to its topic’s subscribers with a “remind me” button',
          parameters: [idParam],
          requestBody: json(ref('EventAnnouncement')),
          responses: {
            '201': { description: 'The scheduled broadcast' },
            ...errors,
            '503': { description: 'Newsletter feature not enabled' },
          },
        },
      },
    },
  };
}
