/** The privacy routes' part of /api/v1/openapi.json. */
import { z } from 'zod';
import type { OpenApiFragment } from '../../http/api-support.js';
import { contactSearchSchema, eraseBodySchema } from './routes.js';

const schema = (s: z.ZodType) => z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' });
const idParameter = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };
const errors = {
  '401': { description: 'Missing or invalid bearer token' },
  '404': { description: 'Unknown contact' },
};
const erase = {
  summary:
    'Erase the contact (GDPR art. 17): texts, identifiers, leads, unanswered questions deleted or overwritten; aggregates and the pseudonymised consent ledger kept',
  tags: ['privacy'],
  parameters: [idParameter],
  requestBody: {
    required: true,
    content: { 'application/json': { schema: { $ref: '#/components/schemas/EraseRequest' } } },
  },
  responses: {
    '200': {
      description: 'Erased (or already erased): the pseudonym and how many rows of each kind changed',
    },
    '400': { description: '`confirm` does not repeat the contact id' },
    ...errors,
  },
};

export const privacyOpenApi: OpenApiFragment = {
  paths: {
    '/contacts': {
      get: {
        summary: 'Search contacts by name, user name, phone or channel id (erased contacts are not listed)',
        tags: ['privacy'],
        parameters: Object.entries(
          (schema(contactSearchSchema) as { properties?: Record<string, unknown> }).properties ?? {},
        ).map(([name, s]) => ({ name, in: 'query', required: false, schema: s })),
        responses: { '200': { description: 'Matching contacts' }, '401': errors['401'] },
      },
    },
    '/contacts/{id}': {
      get: {
        summary:
          'The contact profile: channels, name, consent history, topics, referral figures, conversation',
        tags: ['privacy'],
        parameters: [idParameter],
        responses: { '200': { description: 'The profile' }, ...errors },
      },
      delete: erase,
    },
    '/contacts/{id}/erase': { post: erase },
    '/contacts/{id}/export': {
      get: {
        summary: 'Everything stored about the contact as one JSON document (GDPR art. 15 access request)',
        tags: ['privacy'],
        parameters: [idParameter],
        responses: { '200': { description: 'The export' }, ...errors },
      },
    },
  },
  schemas: { EraseRequest: schema(eraseBodySchema) },
};
