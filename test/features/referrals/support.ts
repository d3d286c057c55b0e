/** Shared set-up for referral and CRM tests: config, contacts, an express app with the feature's routers. */
import type { AddressInfo } from 'node:net';
import express from 'express';
import { type Config, loadConfig } from '../../../src/config.js';
import { parseReferralProgram } from '../../../src/features/referrals/program-loader.js';
import type { Feature } from '../../../src/features/types.js';
import { apiErrorHandler, requireApiToken } from '../../../src/http/api-support.js';
import { silentLogger } from '../../../src/logger.js';
import type { ChannelName, Contact } from '../../../src/model/index.js';
import type { Store } from '../../../src/store/database.js';
import { newId } from '../../../src/store/ids.js';

export const API_TOKEN = 'test-token-123';

export function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig({
    PUBLIC_URL: 'https://plausch.example',
    REFERRAL_IP_SALT: 'salt-one',
    API_TOKENS: API_TOKEN,
    ...env,
  });
}

export const PROGRAM_YAML = `
default_campaign: freunde
campaigns:
  freunde:
    landing_url: https://shop.example/freunde?lang=de&utm_source=old
    utm: { source: empfehlung, medium: messenger, campaign: freunde-werben }
    share_text:
      de: "Mit meinem Link bekommst du 10 %: {{link}}"
      en: "With my link you get 10%: {{link}}"
    milestones:
      - id: drei
        friends: 3
        coupon_pool: FREUNDE10
        reward_text: { de: "Danke {{name}}! Dein Code: {{coupon}}", en: "Thanks {{name}}! Your code: {{coupon}}" }
      - id: fuenf
        friends: 5
        coupon_pool: LEER
        label: { de: ein Paket, en: a package }
        reward_text: { de: "Paket-Code: {{coupon}}", en: "Package code: {{coupon}}" }
  sommer:
    landing_url: https://shop.example/sommer
    utm: { campaign: sommer }
    share_text: "Sommer: {{link}}"
coupon_pools:
  FREUNDE10:
    codes: [FR-1, FR-2]
  LEER:
    codes: []
`;

export const testProgram = () => parseReferralProgram(PROGRAM_YAML, 'campaigns.yaml');

let contactCounter = 0;

export async function insertContact(
  store: Store,
  overrides: Partial<Contact> & { channel?: ChannelName } = {},
): Promise<Contact> {
  contactCounter += 1;
  const contact: Contact = {
    id: newId(),
    channel: 'telegram',
    channelContactId: `${1000 + contactCounter}`,
    displayName: 'Anna Kaffeeliebe',
    firstName: 'Anna',
    lastName: 'Kaffeeliebe',
    username: null,
    phone: null,
    locale: 'de',
    tags: [],
    attributes: {},
    replyAddress: null,
    createdAt: new Date('2025-03-01T10:00:00Z'),
    lastInboundAt: null,
    ...overrides,
  };
  await store.db
    .insertInto('contacts')
    .values({
      id: contact.id,
      channel: contact.channel,
      channel_contact_id: contact.channelContactId,
      display_name: contact.displayName,
      first_name: contact.firstName,
      last_name: contact.lastName,
      username: contact.username,
      phone: contact.phone,
      locale: contact.locale,
      tags: JSON.stringify(contact.tags),
      attributes: JSON.stringify(contact.attributes),
      reply_address: null,
      created_at: contact.createdAt.getTime(),
      last_inbound_at: null,
    })
    .execute();
  return contact;
}

/** Records an inbound event for the contact, as the inbox does before a turn. */
export async function recordInbound(store: Store, contact: Contact, at: Date): Promise<void> {
  const conversationId = `conv-${contact.id}`;
  await store.db
    .insertInto('conversations')
    .values({
      id: conversationId,
      contact_id: contact.id,
      channel: contact.channel,
      status: 'bot',
      state: '{}',
      assigned_agent_id: null,
      window_expires_at: null,
      created_at: at.getTime(),
      updated_at: at.getTime(),
    })
    .onConflict((oc) => oc.column('contact_id').doNothing())
    .execute();
  await store.db
    .insertInto('inbound_events')
    .values({
      id: newId(at.getTime()),
      channel: contact.channel,
      native_id: newId(),
      contact_id: contact.id,
      conversation_id: conversationId,
      message: '{}',
      status: 'processed',
      error: null,
      received_at: at.getTime(),
      processed_at: at.getTime(),
    })
    .execute();
}

/** Mounts a feature as the server does: public routes at the root, API under /api/v1 behind the token. */
export async function serveFeature(
  features: Feature[],
): Promise<{ url: string; close: () => Promise<void> }> {
  const app = express();
  app.set('trust proxy', 1);
  const api = express.Router();
  api.use(express.json({ limit: '1mb' }));
  api.use(requireApiToken([API_TOKEN]));
  for (const feature of features) if (feature.apiRouter) api.use(feature.apiRouter);
  api.use(apiErrorHandler(silentLogger));
  app.use('/api/v1', api);
  for (const feature of features) if (feature.publicRouter) app.use(feature.publicRouter);
  app.use((_req, res) => {
    res.status(404).send('Not found');
  });
  app.use(apiErrorHandler(silentLogger));
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export const authHeaders = { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' };
