/**
 * A real Plausch instance for console tests: the sample flows, a fake Telegram channel that records sends,
 * the HTTP server on 127.0.0.1:0, staff accounts, and a clock set to a Wednesday 10:00 in Berlin (office
 * hours) that keeps running, so handoffs are queued rather than after hours.
 */

import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DateTime } from 'luxon';
import { createPlausch, type Plausch } from '../../src/app/plausch.js';
import { loadConfig } from '../../src/config.js';
import { type ConsoleUser, createUser, type Role } from '../../src/console/auth/users.js';
import { silentLogger } from '../../src/logger.js';
import type { ChannelCapabilities } from '../../src/model/index.js';
import type { RuntimeEventBus } from '../../src/runtime/events.js';
import type { Store } from '../../src/store/database.js';
import { FakeAdapter } from '../support/fake-adapter.js';

export const PASSWORD = 'kaffee-bohne-2026';

/** A clock that runs from the next Wednesday 10:00 Europe/Berlin. */
export function officeHoursClock(): () => Date {
  const start = DateTime.now()
    .setZone('Europe/Berlin')
    .startOf('week')
    .plus({ weeks: 1, days: 2, hours: 10 });
  const offset = start.toMillis() - Date.now();
  return () => new Date(Date.now() + offset);
}

export interface ConsoleInstance {
  plausch: Plausch;
  adapter: FakeAdapter;
  server: Server;
  baseUrl: string;
  now: () => Date;
  stop(): Promise<void>;
}

export async function startConsoleInstance(
  store: Store,
  options: {
    now?: () => Date;
    instanceId?: string;
    events?: RuntimeEventBus;
    /** A copy of the flows to edit (the workbench tests); default the repository's flows/. */
    flowsDir?: string;
    /** More configuration (e.g. MEDIA_MAX_BYTES). */
    env?: Record<string, string>;
    /** What the fake Telegram channel can show (default: plain text, buttons as numbered options). */
    capabilities?: Partial<ChannelCapabilities>;
  } = {},
): Promise<ConsoleInstance> {
  const now = options.now ?? officeHoursClock();
  const config = loadConfig({
    FLOWS_DIR: options.flowsDir ?? 'flows',
    DATABASE_URL: '',
    WEBCHAT_ENABLED: 'false',
    LOG_LEVEL: 'silent',
    PUBLIC_URL: 'http://127.0.0.1',
    INSTANCE_ID: options.instanceId ?? `console-test-${Math.random().toString(36).slice(2)}`,
    ...options.env,
  });
  const adapter = new FakeAdapter({
    name: 'telegram',
    ...(options.capabilities ? { capabilities: options.capabilities } : {}),
  });
  const plausch = await createPlausch({
    config,
    logger: silentLogger,
    store,
    now,
    extraAdapters: [adapter],
    onlyExtraAdapters: true,
    ...(options.events ? { events: options.events } : {}),
  });
  await plausch.start();
  const server: Server = await new Promise((resolve) => {
    const listening = plausch.http.listen(0, '127.0.0.1', () => resolve(listening));
  });
  const { port } = server.address() as AddressInfo;
  return {
    plausch,
    adapter,
    server,
    baseUrl: `http://127.0.0.1:${port}`,
    now,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await plausch.stop();
    },
  };
}

export async function addStaff(
  store: Store,
  email: string,
  role: Role,
  team: string | null = null,
  name?: string,
): Promise<ConsoleUser> {
  return createUser(
    store.db,
    { email, displayName: name ?? email.split('@')[0]!, role, team, password: PASSWORD },
    new Date(),
  );
}

/** A minimal cookie-keeping HTTP client for the console API (what the browser does, without a browser). */
export class ConsoleClient {
  cookie = '';
  csrf = '';
  constructor(readonly baseUrl: string) {}

  async login(email: string, password = PASSWORD): Promise<Response> {
    const response = await this.request('POST', '/console/api/login', { email, password });
    const setCookie = response.headers.get('set-cookie');
    if (setCookie) this.cookie = setCookie.split(';')[0]!;
    if (response.ok) this.csrf = ((await response.clone().json()) as { csrfToken: string }).csrfToken;
    return response;
  }

  request(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Response> {
    return fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
        ...(this.cookie ? { Cookie: this.cookie } : {}),
        ...(method !== 'GET' && this.csrf ? { 'X-CSRF-Token': this.csrf } : {}),
        ...headers,
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  }

  async json<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: T }> {
    const response = await this.request(method, path, body);
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : null) as T };
  }
}
