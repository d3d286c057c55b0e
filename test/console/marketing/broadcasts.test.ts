/**
 * The console's broadcast API: marketers (and admins) only, CSRF like every console change, zod-checked input
 * with readable errors, the live audience of confirmed subscribers only, the per-channel preview with its
 * limits, send now with progress and funnel, schedule and cancel. On SQLite and PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  confirmConsent,
  requestConsent,
  withdrawConsent,
  withNewsletterTables,
} from '../../../src/features/newsletter/consent-ledger.js';
import type { Store } from '../../../src/store/database.js';
import { insertContact } from '../../features/newsletter/support.js';
import {
  createTestDatabase,
  dialectsUnderTest,
  notePostgresSkipped,
  type TestStoreHandle,
} from '../../support/stores.js';
import { addStaff, ConsoleClient, type ConsoleInstance, startConsoleInstance } from '../support.js';

notePostgresSkipped();

const BASE = '/console/api/marketing/broadcasts';

interface Detail {
  id: string;
  status: string;
  statistics: { recipients: number; sent: number; queued: number; cancelled: number };
  funnel: Record<string, number>;
}

describe.each(dialectsUnderTest)('console broadcasts API on %s', (dialect) => {
  let handle: TestStoreHandle;
  let store: Store;
  let instance: ConsoleInstance;
  let marketer: ConsoleClient;
  let agent: ConsoleClient;
  const active: string[] = [];

  beforeAll(async () => {
    handle = await createTestDatabase(dialect);
    store = await handle.open();
    instance = await startConsoleInstance(store);
    const db = withNewsletterTables(store.db);
    const now = instance.now();
    // Three confirmed on telegram (one of them English), one only asked, one unsubscribed again.
    const states = ['active', 'active', 'active-en', 'pending', 'unsubscribed'] as const;
    for (const state of states) {
      const contact = await insertContact(store, {
        channel: 'telegram',
        locale: state === 'active-en' ? 'en' : 'de',
      });
      const subject = { contactId: contact.id, channel: 'telegram', source: 'api' as const, now };
      await requestConsent(db, subject, 'roast-news', 'Röstpost?');
      if (state === 'pending') continue;
      await confirmConsent(db, subject, 'roast-news');
      if (state === 'unsubscribed') await withdrawConsent(db, subject, 'roast-news');
      else active.push(contact.channelContactId);
    }
    await addStaff(store, 'mara@example.com', 'marketer');
    await addStaff(store, 'anna@example.com', 'agent', 'service');
    marketer = new ConsoleClient(instance.baseUrl);
    agent = new ConsoleClient(instance.baseUrl);
    expect((await marketer.login('mara@example.com')).status).toBe(200);
    expect((await agent.login('anna@example.com')).status).toBe(200);
  }, 60_000);
  afterAll(async () => {
    await instance?.stop();
    await handle?.dispose();
  });

  it('is for marketers only, and changes need the CSRF token', async () => {
    expect((await agent.request('GET', `${BASE}/setup`)).status).toBe(403);
    expect((await agent.request('GET', BASE)).status).toBe(403);
    expect((await agent.request('POST', BASE, { topic: 'roast-news', content: { text: 'x' } })).status).toBe(
      403,
    );
    const noToken = new ConsoleClient(instance.baseUrl);
    await noToken.login('mara@example.com');
    noToken.csrf = '';
    const refused = await noToken.request('POST', `${BASE}/audience`, { topic: 'roast-news' });
    expect(refused.status).toBe(403);
  });

  it('tells the composer the topics with subscriber counts, the templates and each channel’s limits', async () => {
    const { status, body } = await marketer.json<{
      topics: Array<{ id: string; subscribers: number }>;
      templates: Array<{ name: string }>;
      channels: Array<{ channel: string; maxTextLength: number; formatting: string }>;
      locales: string[];
    }>('GET', `${BASE}/setup`);
    expect(status).toBe(200);
    expect(body.topics.find((t) => t.id === 'roast-news')?.subscribers).toBe(3);
    expect(body.templates.map((t) => t.name)).toContain('roast_news_update');
    expect(body.channels.find((c) => c.channel === 'telegram')).toMatchObject({
      maxTextLength: 4096,
      formatting: 'plain',
    });
    expect(body.channels.find((c) => c.channel === 'whatsapp-cloud')?.formatting).toBe('whatsapp');
    expect(body.locales).toEqual(expect.arrayContaining(['de', 'en']));
  });

  it('says how to turn the comparison with WhatsApp Manager on when it is off', async () => {
    const off = await marketer.json<{ error: string }>('GET', `${BASE}/templates/check`);
    expect(off.status).toBe(503);
    expect(off.body.error).toContain('WHATSAPP_BUSINESS_ACCOUNT_ID');
  });

  it('counts only confirmed subscribers, per channel, as the segment changes', async () => {
    const all = await marketer.json<{ recipients: number; byChannel: Record<string, number> }>(
      'POST',
      `${BASE}/audience`,
      { topic: 'roast-news' },
    );
    expect(all.body).toMatchObject({ recipients: 3, byChannel: { telegram: 3 } });
    const english = await marketer.json('POST', `${BASE}/audience`, {
      topic: 'roast-news',
      segment: { locales: ['en'] },
    });
    expect(english.body).toMatchObject({ recipients: 1 });
    const none = await marketer.json('POST', `${BASE}/audience`, {
      topic: 'roast-news',
      segment: { channels: ['whatsapp-cloud'] },
    });
    expect(none.body).toMatchObject({ recipients: 0 });
    const bad = await marketer.json<{ error: string; details: Array<{ path: string }> }>(
      'POST',
      `${BASE}/audience`,
      { topic: 'roast-news', segment: { channels: ['fax'] } },
    );
    expect(bad.status).toBe(400);
    expect(bad.body.details[0]?.path).toBe('segment.channels.0');
  });

  it('previews the text on every channel with its length and limit', async () => {
    const long = 'Kaffee '.repeat(500).trim();
    const { status, body } = await marketer.json<{
      previews: Record<
        string,
        Record<string, { bubbles: Array<{ text?: string }>; length: number; limit: number }>
      >;
      template: Record<string, { text: string } | null> | null;
    }>('POST', `${BASE}/render`, {
      content: {
        text: { de: long, en: 'Hi!' },
        buttons: [{ label: 'Zum Shop', url: 'https://bohnenglueck.example/shop' }],
        whatsappTemplate: 'roast_news_update',
      },
      locales: ['de', 'en'],
    });
    expect(status).toBe(200);
    expect(body.previews.telegram!.de).toMatchObject({ length: long.length, limit: 4096 });
    expect(body.previews['messenger-meta']!.de!.limit).toBe(2000);
    // Messenger cuts at 2,000 characters: the long text arrives in several bubbles.
    expect(body.previews['messenger-meta']!.de!.bubbles.length).toBeGreaterThan(1);
    expect(body.previews.telegram!.en!.bubbles[0]?.text).toBe('Hi!');
    expect(body.template?.de?.text).toContain('Hallo Kaffeefreund:in');
    expect(body.template?.en?.text).toContain('Hi coffee friend');
  });

  it('refuses bad compositions with a message that says what to fix, and saves nothing', async () => {
    const cases: Array<[unknown, string]> = [
      [{ topic: 'roast-news', content: { text: '' } }, 'content.text'],
      [{ topic: 'nope', content: { text: 'Hallo' } }, 'topic'],
      [{ topic: 'roast-news', content: { text: 'Hallo' }, send: { at: '2020-01-01T10:00:00Z' } }, 'send.at'],
      [
        { topic: 'roast-news', content: { text: 'Hallo', whatsappTemplate: 'nope' } },
        'content.whatsappTemplate',
      ],
      [
        { topic: 'roast-news', content: { text: 'Hallo', buttons: [{ label: 'x', url: 'ftp://x' }] } },
        'content.buttons',
      ],
    ];
    for (const [body, path] of cases) {
      const answer = await marketer.json<{
        error: string;
        details?: Array<{ path: string; message: string }>;
      }>('POST', BASE, body);
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(answer.body.error.length).toBeGreaterThan(0);
      const paths = (answer.body.details ?? []).map((d) => d.path).join(' ');
      if (path !== 'topic') expect(paths, JSON.stringify(answer.body)).toContain(path);
      else expect(answer.body.error).toContain('unknown topic');
    }
    const list = await marketer.json<{ total: number }>('GET', BASE);
    expect(list.body.total).toBe(0);
  });

  it('sends now: progress to every confirmed subscriber in their language, then the funnel', async () => {
    const created = await marketer.json<Detail>('POST', BASE, {
      name: 'Röstpost Dezember',
      topic: 'roast-news',
      content: { text: { de: 'Neu: Kenia Nyeri!', en: 'New: Kenya Nyeri!' } },
      send: 'now',
    });
    expect(created.status).toBe(201);
    await expect
      .poll(async () => (await marketer.json<Detail>('GET', `${BASE}/${created.body.id}`)).body, {
        timeout: 20_000,
      })
      .toMatchObject({
        status: 'sent',
        statistics: { recipients: 3, sent: 3, queued: 0 },
        funnel: { sent: 3 },
      });
    const texts = instance.adapter.sends.map((s) => [s.channelContactId, s.message.text]);
    expect(texts.map(([id]) => id).sort()).toEqual([...active].sort());
    expect(texts.filter(([, text]) => text === 'New: Kenya Nyeri!')).toHaveLength(1);
    const list = await marketer.json<{ items: Detail[] }>('GET', BASE);
    expect(list.body.items[0]).toMatchObject({ id: created.body.id, funnel: { sent: 3, replied: 0 } });
    const late = await marketer.json<{ error: string }>('POST', `${BASE}/${created.body.id}/cancel`);
    expect(late.status).toBe(409);
    expect(late.body.error).toContain('nothing left to cancel');
  });

  it('schedules for later and cancels before anything goes out', async () => {
    const before = instance.adapter.sends.length;
    const at = new Date(instance.now().getTime() + 24 * 3_600_000).toISOString();
    const created = await marketer.json<Detail>('POST', BASE, {
      topic: 'roast-news',
      content: { text: 'Morgen!' },
      send: { at },
    });
    expect(created.body.status).toBe('scheduled');
    const cancelled = await marketer.json<Detail & { cancelledRows: number }>(
      'POST',
      `${BASE}/${created.body.id}/cancel`,
    );
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');
    const again = await marketer.json<{ error: string }>('POST', `${BASE}/${created.body.id}/cancel`);
    expect(again.status).toBe(409);
    expect(again.body.error).toContain('can no longer be cancelled');
    expect(instance.adapter.sends.length).toBe(before);
  });
});
