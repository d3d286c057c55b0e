/**
 * `plausch chat`: the sample (or your) flows in the terminal, through the real runtime, features and outbox,
 * on a throw-away in-memory database unless `--store` asks for the configured one.
 */
import { randomUUID } from 'node:crypto';
import { createPlausch } from '../app/plausch.js';
import { createTerminalAdapter } from '../channels/terminal/adapter.js';
import { loadConfig } from '../config.js';
import type { TurnEvent } from '../engine/types.js';
import { createLogger } from '../logger.js';
import { EMPTY_CONVERSATION_STATE, type OutboundMessage } from '../model/index.js';
import { type ChatPort, runChat } from './chat.js';

export interface ChatCommandOptions {
  locale?: string;
  name: string;
  store?: boolean;
}

const SETTLE_POLL_MS = 25;
const SETTLE_TIMEOUT_MS = 15_000;

export async function chat(options: ChatCommandOptions): Promise<number> {
  const base = loadConfig();
  const config = options.store ? base : { ...base, DATABASE_URL: '', SQLITE_PATH: ':memory:' };
  // The chat owns the terminal: only errors are logged (start-up warnings are for operators of a server).
  const logger = createLogger(
    base.LOG_LEVEL === 'debug' || base.LOG_LEVEL === 'trace' ? base.LOG_LEVEL : 'error',
    false,
    2,
  );
  let received: OutboundMessage[] = [];
  const terminal = createTerminalAdapter((message) => received.push(message));
  const plausch = await createPlausch({ config, logger, extraAdapters: [terminal], onlyExtraAdapters: true });
  await plausch.start();

  let contactNativeId = `terminal-${randomUUID().slice(0, 8)}`;
  let locale = options.locale ?? plausch.flows.current().settings.default_locale;

  const contactId = async () =>
    (
      await plausch.store.db
        .selectFrom('contacts')
        .select('id')
        .where('channel', '=', 'cli')
        .where('channel_contact_id', '=', contactNativeId)
        .executeTakeFirst()
    )?.id;

  /** Waits until the turn was processed and everything it queued was sent (or held/failed). */
  const settle = async () => {
    const deadline = Date.now() + SETTLE_TIMEOUT_MS;
    await plausch.runtime.whenIdle();
    const id = await contactId();
    while (id && Date.now() < deadline) {
      const open = await plausch.store.db
        .selectFrom('outbox')
        .select('id')
        .where('contact_id', '=', id)
        .where('status', 'in', ['queued', 'sending'])
        .where('next_attempt_at', '<=', Date.now() + 1000)
        .limit(1)
        .execute();
      if (open.length === 0) return;
      await new Promise((resolve) => setTimeout(resolve, SETTLE_POLL_MS));
    }
  };

  const port: ChatPort = {
    async send(event: TurnEvent) {
      received = [];
      if (event.kind !== 'message') return [];
      await terminal.sink().accept({
        channel: 'cli',
        nativeId: randomUUID(),
        contactNativeId,
        receivedAt: new Date(),
        ...(event.text !== undefined ? { text: event.text } : {}),
        ...(event.buttonPayload !== undefined ? { buttonPayload: event.buttonPayload } : {}),
        ...(event.startPayload !== undefined ? { startPayload: event.startPayload } : {}),
        ...(event.isStart ? { isStart: true } : {}),
        profile: { firstName: options.name, displayName: options.name, locale },
        raw: { source: 'terminal' },
      });
      await settle();
      return received;
    },
    async setLocale(next: string) {
      locale = next;
      const id = await contactId();
      if (id) {
        await plausch.store.db.updateTable('contacts').set({ locale: next }).where('id', '=', id).execute();
      }
    },
    reset() {
      contactNativeId = `terminal-${randomUUID().slice(0, 8)}`;
    },
    async describeState() {
      const id = await contactId();
      if (!id) return 'no conversation yet';
      const row = await plausch.store.db
        .selectFrom('conversations')
        .select(['status', 'state'])
        .where('contact_id', '=', id)
        .executeTakeFirst();
      if (!row) return 'no conversation yet';
      const state = { ...EMPTY_CONVERSATION_STATE, ...(JSON.parse(row.state) as object) };
      return `status ${row.status}; ${JSON.stringify(state)}`;
    },
  };

  try {
    await runChat({ port, input: process.stdin, output: process.stdout, locale });
  } finally {
    await plausch.stop();
  }
  return 0;
}
