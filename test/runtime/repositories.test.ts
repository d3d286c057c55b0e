import { afterEach, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/database.js';
import { setContactLocale, upsertContactFromInbound } from '../../src/store/repositories/contacts.js';
import { getOrCreateConversation } from '../../src/store/repositories/conversations.js';
import { resolveSupportedLocale } from '../../src/store/repositories/locale.js';
import { insertTranscriptMessage, listTranscript } from '../../src/store/repositories/transcript.js';
import {
  createTestDatabase,
  dialectsUnderTest,
  notePostgresSkipped,
  type TestStoreHandle,
} from '../support/stores.js';
import { inbound } from './helpers.js';

notePostgresSkipped();

const locales = { supported: ['de', 'en'], fallback: 'de' };

describe('resolveSupportedLocale', () => {
  it('maps platform tags to supported short locales or the default', () => {
    expect(resolveSupportedLocale('de-DE', locales)).toBe('de');
    expect(resolveSupportedLocale('en_US', locales)).toBe('en');
    expect(resolveSupportedLocale('EN', locales)).toBe('en');
    expect(resolveSupportedLocale('fr-FR', locales)).toBe('de');
    expect(resolveSupportedLocale(undefined, locales)).toBe('de');
    expect(resolveSupportedLocale('', locales)).toBe('de');
  });
});

describe.each(dialectsUnderTest)('repositories on %s', (dialect) => {
  let handle: TestStoreHandle | undefined;
  afterEach(async () => {
    await handle?.dispose();
    handle = undefined;
  });
  async function openStore(): Promise<Store> {
    handle = await createTestDatabase(dialect);
    return handle.open();
  }

  it('creates a contact from the profile and refreshes it without losing a chosen locale', async () => {
    const store = await openStore();
    const now = new Date();
    const first = await upsertContactFromInbound(
      store.db,
      inbound('u1', 'hi', {
        profile: {
          firstName: 'Lena',
          displayName: 'Lena K.',
          username: 'lenak',
          phone: '+4915112345678',
          locale: 'en_US',
        },
        replyAddress: { chatId: 1 },
      }),
      locales,
      now,
    );
    expect(first).toMatchObject({
      firstName: 'Lena',
      displayName: 'Lena K.',
      username: 'lenak',
      phone: '+4915112345678',
      locale: 'en',
      replyAddress: { chatId: 1 },
      tags: [],
      attributes: {},
    });
    const again = await upsertContactFromInbound(
      store.db,
      inbound('u1', 'x', { profile: { locale: 'de-AT', username: 'lena' } }),
      locales,
      now,
    );
    expect(again.id).toBe(first.id);
    expect([again.locale, again.username, again.firstName]).toEqual(['de', 'lena', 'Lena']);

    await setContactLocale(store.db, first.id, 'en', { lockRow: false });
    const afterChoice = await upsertContactFromInbound(
      store.db,
      inbound('u1', 'x', { profile: { locale: 'de-DE' } }),
      locales,
      now,
    );
    expect(afterChoice.locale).toBe('en');
    expect(afterChoice.attributes.locale_chosen).toBe(true);
  });

  it('pages a transcript from the newest page backwards, each page in order', async () => {
    const store = await openStore();
    const now = new Date();
    const contact = await upsertContactFromInbound(store.db, inbound('t1', 'x'), locales, now);
    const conversation = await getOrCreateConversation(store.db, contact, now);
    for (let i = 0; i < 7; i += 1) {
      await insertTranscriptMessage(
        store.db,
        {
          conversationId: conversation.id,
          contactId: contact.id,
          direction: 'in',
          author: 'contact',
          text: `m${i}`,
        },
        now,
      );
    }
    const newest = await listTranscript(store.db, conversation.id, { limit: 3 });
    expect(newest.messages.map((m) => m.text)).toEqual(['m4', 'm5', 'm6']);
    const older = await listTranscript(store.db, conversation.id, { limit: 3, before: newest.nextBefore! });
    expect(older.messages.map((m) => m.text)).toEqual(['m1', 'm2', 'm3']);
    const oldest = await listTranscript(store.db, conversation.id, { limit: 3, before: older.nextBefore! });
    expect(oldest.messages.map((m) => m.text)).toEqual(['m0']);
    expect(oldest.nextBefore).toBeNull();
  });
});
