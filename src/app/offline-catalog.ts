/**
 * The real actions and interceptors without a server: the features built on a throw-away in-memory SQLite
 * store. `plausch flows check` validates against them and `plausch flows test` runs conversation tests with
 * them, each test with its own contact, so what passes here is what the server would do.
 */
import { randomUUID } from 'node:crypto';
import { loadConfig } from '../config.js';
import { ActionRegistry } from '../engine/actions.js';
import { registerCoreActions } from '../engine/core-actions.js';
import type { InboundInterceptor, QuestionDetector } from '../engine/types.js';
import { silentLogger } from '../logger.js';
import type { Contact } from '../model/index.js';
import { openStore } from '../store/database.js';
import { migrateToLatest } from '../store/migrate.js';
import { setContactLocale, upsertContactFromInbound } from '../store/repositories/contacts.js';
import { getOrCreateConversation } from '../store/repositories/conversations.js';
import { createFeatures } from './features.js';
import { questionDetectorOf } from './question-detector.js';

export interface OfflineCatalog {
  actions: ActionRegistry;
  interceptors: readonly InboundInterceptor[];
  /** The FAQ feature's question detector, for digressions at prompts. */
  questions?: QuestionDetector;
  /** Features whose own files (knowledge base, topics, events, campaigns) did not load, one line each. */
  problems: string[];
  /** Stores a conversation test's contact and conversation so real actions can work with them. */
  prepareConversation(contact: Contact, now: Date): Promise<{ contact: Contact; conversationId: string }>;
  close(): Promise<void>;
}

export async function openOfflineCatalog(flowsDir: string): Promise<OfflineCatalog> {
  const config = loadConfig({
    ...process.env,
    DATABASE_URL: '',
    SQLITE_PATH: ':memory:',
    FLOWS_DIR: flowsDir,
  });
  const store = openStore({ databaseUrl: '', sqlitePath: ':memory:' });
  await migrateToLatest(store);
  const problems: string[] = [];
  const features = await createFeatures(
    { store, config, logger: silentLogger, now: () => new Date() },
    { onFeatureError: (name, error) => problems.push(`${name}: ${error.message}`) },
  );
  for (const feature of features) {
    try {
      await feature.loadData?.();
    } catch (error) {
      problems.push(`${feature.name}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  const actions = new ActionRegistry();
  registerCoreActions(actions);
  for (const feature of features) for (const action of feature.actions ?? []) actions.register(action);

  const questions = questionDetectorOf(features);
  return {
    actions,
    interceptors: features.flatMap((feature) => [...(feature.interceptors ?? [])]),
    ...(questions ? { questions } : {}),
    problems,
    async prepareConversation(draft, now) {
      const stored = await upsertContactFromInbound(
        store.db,
        {
          channel: draft.channel,
          nativeId: randomUUID(),
          contactNativeId: `${draft.channelContactId}-${randomUUID().slice(0, 8)}`,
          receivedAt: now,
          profile: {
            ...(draft.firstName ? { firstName: draft.firstName } : {}),
            ...(draft.lastName ? { lastName: draft.lastName } : {}),
            ...(draft.displayName ? { displayName: draft.displayName } : {}),
            ...(draft.username ? { username: draft.username } : {}),
          },
          raw: { source: 'conversation test' },
        },
        { supported: [draft.locale], fallback: draft.locale },
        now,
      );
      await setContactLocale(store.db, stored.id, draft.locale, { lockRow: false });
      const conversation = await getOrCreateConversation(store.db, stored, now);
      return {
        contact: { ...draft, id: stored.id, channelContactId: stored.channelContactId },
        conversationId: conversation.id,
      };
    },
    close: async () => {
      for (const feature of features) await feature.stop?.();
      await store.close();
    },
  };
}
