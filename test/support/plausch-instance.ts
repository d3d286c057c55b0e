/**
 * A whole Plausch for end-to-end tests: the sample flows, a store of the given dialect, the Telegram adapter
 * pointed at a fake Bot API (long polling), and the HTTP app on a random port.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createPlausch, type Plausch } from '../../src/app/plausch.js';
import { loadConfig } from '../../src/config.js';
import { type Logger, silentLogger } from '../../src/logger.js';
import type { Store } from '../../src/store/database.js';

export const TEST_API_TOKEN = 'test-api-token-0123456789';

export interface RunningPlausch {
  plausch: Plausch;
  baseUrl: string;
  stop(): Promise<void>;
}

export interface StartPlauschOptions {
  store: Store;
  telegramApiRoot?: string;
  env?: Record<string, string>;
  now?: () => Date;
  /** Default: silent. */
  logger?: Logger;
}

export async function startPlausch(options: StartPlauschOptions): Promise<RunningPlausch> {
  const config = loadConfig({
    NODE_ENV: 'test',
    FLOWS_DIR: 'flows',
    WEBCHAT_ENABLED: 'false',
    API_TOKENS: TEST_API_TOKEN,
    LOG_LEVEL: 'silent',
    ...(options.telegramApiRoot
      ? {
          TELEGRAM_BOT_TOKEN: '123456:TEST-token',
          TELEGRAM_API_ROOT: options.telegramApiRoot,
          TELEGRAM_BOT_USERNAME: 'bohnenglueck_bot',
        }
      : {}),
    ...options.env,
  });
  const plausch = await createPlausch({
    config,
    logger: options.logger ?? silentLogger,
    store: options.store,
    ...(options.now ? { now: options.now } : {}),
  });
  await plausch.start();
  const server: Server = await new Promise((resolve) => {
    const listening = plausch.http.listen(0, '127.0.0.1', () => resolve(listening));
  });
  const { port } = server.address() as AddressInfo;
  return {
    plausch,
    baseUrl: `http://127.0.0.1:${port}`,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await plausch.stop();
    },
  };
}
