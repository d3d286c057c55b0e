/**
 * The small slice of whatsapp-web.js Plausch depends on, and the factory that builds the real client. The
 * library (and with it puppeteer) is imported only when the channel is enabled, so installations without
 * WhatsApp Web never load a browser driver. Tests pass a fake implementing `WhatsAppWebClient`.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../../config.js';

export type WhatsAppWebListener = (...args: unknown[]) => void;

export interface WhatsAppWebClient {
  on(event: string, listener: WhatsAppWebListener): unknown;
  /** Launches the browser and opens WhatsApp Web; resolves before `ready`. */
  initialize(): Promise<void>;
  destroy(): Promise<void>;
  /** `content` is a string or a media object made by `WhatsAppWebRuntime.loadMedia`. */
  sendMessage(chatId: string, content: unknown, options?: Record<string, unknown>): Promise<unknown>;
  getState(): Promise<string | null>;
}

/** Builds clients and media; the real one wraps whatsapp-web.js, tests provide a fake. */
export interface WhatsAppWebRuntime {
  createClient(): WhatsAppWebClient;
  /** Downloads a URL into something `sendMessage` accepts as media. */
  loadMedia(url: string): Promise<unknown>;
}

interface WhatsAppWebModule {
  Client: new (options: Record<string, unknown>) => WhatsAppWebClient;
  LocalAuth: new (options: { dataPath: string }) => unknown;
  MessageMedia: { fromUrl(url: string, options?: Record<string, unknown>): Promise<unknown> };
}

/** Imports whatsapp-web.js (CommonJS) and returns a runtime configured from the environment. */
export async function loadWhatsAppWebRuntime(config: Config): Promise<WhatsAppWebRuntime> {
  const imported = (await import('whatsapp-web.js')) as unknown as {
    default?: WhatsAppWebModule;
  } & WhatsAppWebModule;
  const wweb: WhatsAppWebModule = imported.default ?? imported;
  return {
    createClient: () =>
      new wweb.Client({
        authStrategy: new wweb.LocalAuth({ dataPath: config.WHATSAPP_WEB_SESSION_DIR }),
        puppeteer: {
          headless: true,
          ...(config.PUPPETEER_EXECUTABLE_PATH ? { executablePath: config.PUPPETEER_EXECUTABLE_PATH } : {}),
          // Containers usually run as root, where Chromium's sandbox cannot start.
          args: ['--no-sandbox', '--disable-setuid-sandbox'],
        },
      }),
    loadMedia: (url) => wweb.MessageMedia.fromUrl(url),
  };
}

/**
 * After a crash Chromium leaves lock files in the profile and refuses to start again ("The browser is
 * already running for <dir>"). Only called before we launch our own browser, when none of ours runs.
 */
export function removeStaleBrowserLocks(sessionDir: string): void {
  // LocalAuth without clientId keeps the Chromium profile in <dataPath>/session.
  for (const name of ['SingletonLock', 'SingletonCookie', 'SingletonSocket']) {
    rmSync(join(sessionDir, 'session', name), { force: true });
  }
}
