/** The referral routes' part of /api/v1/openapi.json, with request schemas generated from the zod schemas. */
import { z } from 'zod';
import type { OpenApiFragment } from '../../http/api-support.js';
import {
  couponUploadSchema,
  leaderboardQuerySchema,
  reportQuerySchema,
  rewardsQuerySchema,
} from './api-routes.js';
import { conversionInputSchema } from './conversions.js';

const schema = (s: z.ZodType) => z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' });

function queryParameters(s: z.ZodObject) {
  const json = schema(s) as { properties?: Record<string, unknown> };
  return Object.entries(json.properties ?? {}).map(([name, property]) => ({
    name,
    in: 'query',
    required: false,
    schema: property,
  }));
}

const errors = {
  '400': { description: 'Invalid input; `details` lists every problem by field' },
  '401': { description: 'Missing or invalid bearer token' },
};

export const referralOpenApi: OpenApiFragment = {
  paths: {
    '/conversions': {
      post: {
        summary: 'Report an order attributed to a referral code, visitor or contact (idempotent on order_id)',
        tags: ['referrals'],
        requestBody: {
          required: true,
          content: { 'application/json': { schema: { $ref: '#/components/schemas/ConversionInput' } } },
        },
        responses: {
          '201': { description: 'Recorded' },
          '200': { description: 'The same order was reported before with the same details' },
          '404': { description: 'Unknown code, visitor_id or contact_id' },
          '409': { description: 'The order_id was reported before with different details' },
          ...errors,
        },
      },
    },
    '/referrals/report': {
      get: {
        summary:
          'Clicks, unique clicks, bot clicks, new contacts, conversions and value grouped by referrer, campaign, channel or country',
        tags: ['referrals'],
        parameters: queryParameters(reportQuerySchema),
        responses: { '200': { description: 'The report with totals' }, ...errors },
      },
    },
    '/referrals/leaderboard': {
      get: {
        summary: 'Top referrers by friends joined; names shortened ("Anna K.")',
        tags: ['referrals'],
        parameters: queryParameters(leaderboardQuerySchema),
        responses: {
          '200': { description: 'Ranked entries' },
          '404': { description: 'Unknown campaign' },
          ...errors,
        },
      },
    },
    '/referrals/codes/{code}': {
      get: {
        summary: 'One referral code: owner, campaign, counts and rewards',
        tags: ['referrals'],
        parameters: [{ name: 'code', in: 'path', required: true, schema: { type: 'string' } }],
        responses: { '200': { description: 'The code' }, '404': { description: 'Unknown code' }, ...errors },
      },
    },
    '/referrals/coupons': {
      get: {
        summary: 'Coupon pools with total, free and handed-out codes',
        tags: ['referrals'],
        responses: { '200': { description: 'Pools' }, ...errors },
      },
      post: {
        summary: 'Load coupon codes into a pool; pending rewards of that pool are fulfilled right away',
        tags: ['referrals'],
        requestBody: {
          required: true,
          content: { 'application/json': { schema: { $ref: '#/components/schemas/CouponUpload' } } },
        },
        responses: {
          '201': { description: 'Codes added' },
          '404': { description: 'Pool not declared in campaigns.yaml' },
          ...errors,
        },
      },
    },
    '/referrals/rewards': {
      get: {
        summary: 'Milestone rewards, newest first; `status=pending` lists those waiting for coupon codes',
        tags: ['referrals'],
        parameters: queryParameters(rewardsQuerySchema),
        responses: { '200': { description: 'Rewards' }, ...errors },
      },
    },
  },
  schemas: {
    ConversionInput: schema(conversionInputSchema),
    CouponUpload: schema(couponUploadSchema),
  },
};
