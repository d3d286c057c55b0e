/** The insights routes' part of /api/v1/openapi.json: one path per figure, with the shared query parameters. */
import { z } from 'zod';
import type { OpenApiFragment } from '../../http/api-support.js';
import { FIGURE_NAMES, type FigureName } from './figures.js';
import { figureQuerySchema } from './routes.js';

const DESCRIPTIONS: Record<FigureName, string> = {
  conversations:
    'Conversations per UTC day and channel (conversations with a message from the customer that day)',
  contacts: 'Contacts who wrote per day: new (first seen that day) and returning',
  service:
    'Service questions per day: answered, asked back, declined (FAQ matcher outcomes) and handed to a person; summary.answer_rate',
  'service-feedback': '"Did that help?" answers per day: yes and no; summary.helpful_rate',
  unanswered: 'Most frequent questions the bot could not answer, with the conversation of the latest asker',
  newsletter: 'Confirmed opt-ins, unsubscribes and net growth per day and topic (from the consent ledger)',
  broadcasts:
    'Per broadcast: people sent → delivered → read → replied within 48 h → unsubscribed from its topic within 48 h',
  referrals:
    'Per campaign: links handed out → links clicked (shared) → visitors → new contacts → buyers (bots never count)',
  'referrals-geo': 'Referral visitors and buyers per country and region (ISO 3166-2, from GEO_REGION_HEADER)',
  'top-referrers': 'Referrers by new contacts and clicks, names shortened ("Anna K.")',
  leaderboard: 'The referral leaderboard: friends joined and conversions per referrer',
  events: 'Per event: reminders asked for (people), reminders sent, .ics downloads',
  handoff: 'Per team: handoffs, taken by a person, average waiting time and first response time (seconds)',
  csat: 'Ratings after chats with a person, per agent and per team (level): asked, answered, average score 1–5, % satisfied (4–5)',
};

const figureTableSchema = {
  type: 'object',
  required: ['figure', 'from', 'to', 'channels', 'columns', 'rows'],
  properties: {
    figure: { type: 'string', enum: [...FIGURE_NAMES] },
    from: { type: 'string', format: 'date-time' },
    to: { type: 'string', format: 'date-time', description: 'exclusive' },
    channels: { type: 'array', items: { type: 'string' } },
    columns: { type: 'array', items: { type: 'string' } },
    rows: {
      type: 'array',
      items: { type: 'object', additionalProperties: { type: ['string', 'number', 'null'] } },
    },
    summary: { type: 'object', additionalProperties: { type: ['number', 'null'] } },
  },
};

function parameters() {
  const json = z.toJSONSchema(figureQuerySchema, { io: 'input', unrepresentable: 'any' }) as {
    properties?: Record<string, unknown>;
  };
  return Object.entries(json.properties ?? {}).map(([name, schema]) => ({
    name,
    in: 'query',
    required: false,
    schema,
  }));
}

export function insightsOpenApi(): OpenApiFragment {
  const shared = parameters();
  const paths: Record<string, unknown> = {};
  for (const figure of FIGURE_NAMES) {
    paths[`/insights/${figure}`] = {
      get: {
        summary: DESCRIPTIONS[figure],
        tags: ['insights'],
        parameters: shared,
        responses: {
          '200': {
            description: 'The figure as a table (format=json) or the same rows as CSV (format=csv)',
            content: {
              'application/json': { schema: { $ref: '#/components/schemas/FigureTable' } },
              'text/csv': { schema: { type: 'string' } },
            },
          },
          '400': { description: 'Invalid range, channel or format; `details` lists every problem' },
          '401': { description: 'Missing or invalid bearer token' },
        },
      },
    };
  }
  return { paths, schemas: { FigureTable: figureTableSchema } };
}
