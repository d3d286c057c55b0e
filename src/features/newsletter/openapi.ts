/** The newsletter feature's part of /api/v1/openapi.json. */
import { z } from 'zod';
import type { OpenApiFragment } from '../../http/api-support.js';
import { newsletterSchemas } from './api.js';

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: unknown) => ({ content: { 'application/json': { schema } } });
const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };
const errors = {
  '400': { description: 'Invalid input; `details` lists every problem by field' },
  '401': { description: 'Missing or invalid bearer token' },
  '404': { description: 'Not found' },
  '409': { description: 'Not possible in the current state' },
};

export function newsletterOpenApi(): OpenApiFragment {
  const schemas = Object.fromEntries(
    Object.entries(newsletterSchemas).map(([name, schema]) => [
      name,
      z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }),
    ]),
  );
  return {
    schemas,
    paths: {
      '/topics': {
        get: {
          tags: ['newsletter'],
          summary: 'Topics from flows/newsletter/topics.yaml with subscriber counts',
          responses: { '200': { description: 'Topics' } },
        },
      },
      '/topics/{id}/subscribers': {
        get: {
          tags: ['newsletter'],
          summary: 'Count and page of a topic’s subscribers (status=active by default)',
          parameters: [
            idParam,
            {
              name: 'status',
              in: 'query',
              schema: { enum: ['active', 'pending', 'declined', 'unsubscribed'] },
            },
            { name: 'limit', in: 'query', schema: { type: 'integer' } },
            { name: 'offset', in: 'query', schema: { type: 'integer' } },
          ],
          responses: { '200': { description: 'Subscribers' }, ...errors },
        },
      },
      '/contacts/{id}/consents': {
        get: {
          tags: ['newsletter'],
          summary: 'The contact’s consent ledger (JSON, or CSV with format=csv)',
          parameters: [idParam, { name: 'format', in: 'query', schema: { enum: ['json', 'csv'] } }],
          responses: { '200': { description: 'Ledger entries, oldest first' }, ...errors },
        },
        post: {
          tags: ['newsletter'],
          summary: 'Record a withdrawal made outside the chat (cancels queued sends)',
          parameters: [idParam],
          requestBody: json(ref('ConsentWithdrawal')),
          responses: { '200': { description: 'Withdrawn topics' }, ...errors },
        },
      },
      '/broadcasts': {
        get: {
          tags: ['newsletter'],
          summary: 'List broadcasts',
          responses: { '200': { description: 'Broadcasts' } },
        },
        post: {
          tags: ['newsletter'],
          summary: 'Create a broadcast draft',
          requestBody: json(ref('BroadcastDraft')),
          responses: { '201': { description: 'The draft' }, ...errors },
        },
      },
      '/broadcasts/{id}': {
        get: {
          tags: ['newsletter'],
          summary: 'A broadcast with statistics',
          parameters: [idParam],
          responses: { '200': { description: 'Broadcast' }, ...errors },
        },
        patch: {
          tags: ['newsletter'],
          summary: 'Change a draft',
          parameters: [idParam],
          requestBody: json(ref('BroadcastPatch')),
          responses: { '200': { description: 'Broadcast' }, ...errors },
        },
        delete: {
          tags: ['newsletter'],
          summary: 'Delete a draft',
          parameters: [idParam],
          responses: { '204': { description: 'Deleted' }, ...errors },
        },
      },
      '/broadcasts/{id}/preview': {
        post: {
          tags: ['newsletter'],
          summary:
            'Recipient count by channel and locale, and per channel how many get the text, the WhatsApp template (window closed) or wait (held); nothing sent',
          parameters: [idParam],
          responses: { '200': { description: 'Preview' }, ...errors },
        },
      },
      '/broadcasts/{id}/schedule': {
        post: {
          tags: ['newsletter'],
          summary: 'Schedule a draft',
          parameters: [idParam],
          requestBody: json(ref('Schedule')),
          responses: { '200': { description: 'Scheduled' }, ...errors },
        },
      },
      '/broadcasts/{id}/send': {
        post: {
          tags: ['newsletter'],
          summary: 'Send a draft now',
          parameters: [idParam],
          responses: { '202': { description: 'Fan-out started' }, ...errors },
        },
      },
      '/broadcasts/{id}/cancel': {
        post: {
          tags: ['newsletter'],
          summary: 'Cancel a scheduled or running broadcast; queued rows are cancelled',
          parameters: [idParam],
          responses: { '200': { description: 'Cancelled' }, ...errors },
        },
      },
    },
  };
}
