/** Shared set-up for newsletter and events tests: a feature context on a test store, contacts, turns, HTTP. */
import type { AddressInfo } from 'node:net';
import express, { type Router } from 'express';
import { loadConfig } from '../../../src/config.js';
import type { ActionContext, ActionDefinition, ActionResult } from '../../../src/engine/actions.js';
import type { TurnInput } from '../../../src/engine/types.js';
import type { FeatureContext } from '../../../src/features/types.js';
import { apiErrorHandler, requireApiToken } from '../../../src/http/api-support.js';
import { silentLogger } from '../../../src/logger.js';
import {
  type ChannelName,
  type Contact,
  EMPTY_CONVERSATION_STATE,
  PLAIN_TEXT_CAPABILITIES,
} from '../../../src/model/index.js';
import type { Store } from '../../../src/store/database.js';

export const FLOWS_DIR = new URL('../../../flows', import.meta.url).pathname;
export const API_TOKEN = 'test-token-0123456789';

/** A clock tests move by hand. */
export class TestClock {
  constructor(public current: Date) {}
  now = (): Date => new Date(this.current.getTime());
  set(iso: string): void {
    this.current = new Date(iso);
  }
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}

export function featureContext(store: Store, clock: TestClock): FeatureContext {
  const config = loadConfig({
    FLOWS_DIR,
    PUBLIC_URL: 'https://chat.bohnenglueck.example',
    API_TOKENS: API_TOKEN,
  });
  return { store, config, logger: silentLogger, now: clock.now };
}

let counter = 0;

export interface ContactSeed {
  channel?: ChannelName;
  locale?: string;
  tags?: string[];
  attributes?: Record<string, string | number | boolean>;
  withConversation?: boolean;
}

/** Inserts a contact (and by default its conversation) and returns it as the engine sees it. */
export async function insertContact(
  store: Store,
  seed: ContactSeed = {},
): Promise<Contact & { conversationId: string }> {
  counter += 1;
  const id = `c${String(counter).padStart(6, '0')}${Math.random().toString(36).slice(2, 6)}`;
  const channel = seed.channel ?? 'telegram';
  await store.db
    .insertInto('contacts')
    .values({
      id,
      channel,
      channel_contact_id: `native-${id}`,
      display_name: null,
      first_name: null,
      last_name: null,
      username: null,
      phone: null,
      locale: seed.locale ?? 'de',
      tags: JSON.stringify(seed.tags ?? []),
      attributes: JSON.stringify(seed.attributes ?? {}),
      reply_address: null,
      created_at: 1,
      last_inbound_at: null,
    })
    .execute();
  const conversationId = `v-${id}`;
  if (seed.withConversation !== false) {
    await store.db
      .insertInto('conversations')
      .values({
        id: conversationId,
        contact_id: id,
        channel,
        status: 'bot',
        state: JSON.stringify(EMPTY_CONVERSATION_STATE),
        assigned_agent_id: null,
        window_expires_at: null,
        created_at: 1,
        updated_at: 1,
      })
      .execute();
  }
  return {
    id,
    channel,
    channelContactId: `native-${id}`,
    displayName: null,
    firstName: null,
    lastName: null,
    username: null,
    phone: null,
    locale: seed.locale ?? 'de',
    tags: seed.tags ?? [],
    attributes: seed.attributes ?? {},
    replyAddress: null,
    createdAt: new Date(1),
    lastInboundAt: null,
    conversationId,
  };
}

export function actionContext(
  contact: Contact & { conversationId: string },
  now: Date,
  step = 'newsletter.ask',
): ActionContext {
  const [flowId = 'newsletter', stepId = 'ask'] = step.split('.');
  return {
    contact,
    conversationId: contact.conversationId,
    channel: contact.channel,
    locale: contact.locale,
    vars: {},
    flowId,
    stepId,
    now,
  };
}

/** Runs an action by name with arguments validated the way the engine does. */
export async function runAction(
  actions: readonly ActionDefinition[] | undefined,
  name: string,
  args: unknown,
  context: ActionContext,
): Promise<ActionResult> {
  const action = actions?.find((a) => a.name === name);
  if (!action) throw new Error(`no action ${name}`);
  return action.run(action.args.parse(args), context);
}

export function turnInput(
  contact: Contact & { conversationId: string },
  now: Date,
  message: { text?: string; buttonPayload?: string },
  state = EMPTY_CONVERSATION_STATE,
): TurnInput {
  return {
    state,
    event: { kind: 'message', ...message },
    contact,
    conversationId: contact.conversationId,
    channel: contact.channel,
    capabilities: PLAIN_TEXT_CAPABILITIES,
    flows: {
      settings: { default_locale: 'de', locales: ['de', 'en'], max_misses: 2, texts: {} },
      flows: new Map(),
      loadedAt: now,
    },
    // The interceptors under test never call actions.
    actions: undefined as never,
    now,
  };
}

export interface TestServer {
  url: string;
  close(): Promise<void>;
}

/** Mounts routers as the lead does: API behind bearer auth under /api/v1, public ones at the root. */
export async function startServer(apiRouters: Router[], publicRouters: Router[] = []): Promise<TestServer> {
  const app = express();
  for (const router of publicRouters) app.use(router);
  app.use('/api/v1', requireApiToken([API_TOKEN]), ...apiRouters);
  app.use('/api/v1', apiErrorHandler(silentLogger));
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export async function api(
  server: TestServer,
  method: string,
  path: string,
  body?: unknown,
  token = API_TOKEN,
) {
  const response = await fetch(`${server.url}/api/v1${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = null;
  }
  return { status: response.status, text, json: json as Record<string, unknown>, headers: response.headers };
}
