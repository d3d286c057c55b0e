/**
 * A broadcast naming a WhatsApp template, through the whole Plausch against the fake Graph API: WhatsApp
 * Cloud recipients whose 24-hour window is closed get the approved template (type "template", language by
 * their locale, parameters from their contact fields or the fallback), those inside the window the free text;
 * without a template the closed-window ones are held. An unknown template is refused before anything is saved.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  confirmConsent,
  requestConsent,
  withNewsletterTables,
} from '../../../src/features/newsletter/consent-ledger.js';
import type { Store } from '../../../src/store/database.js';
import { addStaff, ConsoleClient } from '../../console/support.js';
import { FakeGraphApi } from '../../fakes/graph-api.js';
import { type RunningPlausch, startPlausch, TEST_API_TOKEN } from '../../support/plausch-instance.js';
import { createTestDatabase, type TestStoreHandle } from '../../support/stores.js';
import { insertContact } from './support.js';

const HOUR = 3_600_000;

describe('broadcasts with a WhatsApp template (fake Graph API)', () => {
  let handle: TestStoreHandle;
  let store: Store;
  let graph: FakeGraphApi;
  let running: RunningPlausch;
  const people: Record<string, { id: string; wa: string; conversationId: string }> = {};

  beforeAll(async () => {
    graph = await FakeGraphApi.start();
    handle = await createTestDatabase('sqlite');
    store = await handle.open();
    running = await startPlausch({
      store,
      env: {
        META_APP_SECRET: 'whatsapp-app-secret',
        META_VERIFY_TOKEN: 'verify-me',
        META_GRAPH_API_ROOT: graph.root,
        META_GRAPH_API_VERSION: 'v21.0',
        WHATSAPP_CLOUD_TOKEN: 'wa-test-token',
        WHATSAPP_CLOUD_PHONE_NUMBER_ID: '106540352242922',
        WHATSAPP_BUSINESS_ACCOUNT_ID: '102290129340398',
      },
    });
    const db = withNewsletterTables(store.db);
    const now = Date.now();
    // anna: closed window, German, has a first name; ben: wrote an hour ago; cleo: closed, English, no name.
    const seeds = [
      { key: 'anna', locale: 'de', firstName: 'Anna', lastInbound: now - 30 * HOUR },
      { key: 'ben', locale: 'de', firstName: 'Ben', lastInbound: now - HOUR },
      { key: 'cleo', locale: 'en', firstName: null, lastInbound: now - 72 * HOUR },
    ];
    for (const [index, seed] of seeds.entries()) {
      const contact = await insertContact(store, { channel: 'whatsapp-cloud', locale: seed.locale });
      const wa = `49151000000${index}`;
      await store.db
        .updateTable('contacts')
        .set({ first_name: seed.firstName, last_inbound_at: seed.lastInbound, channel_contact_id: wa })
        .where('id', '=', contact.id)
        .execute();
      const subject = {
        contactId: contact.id,
        channel: 'whatsapp-cloud',
        source: 'api' as const,
        now: new Date(now - 2 * HOUR),
      };
      await requestConsent(db, subject, 'roast-news', 'Röstpost?');
      await confirmConsent(db, subject, 'roast-news');
      people[seed.key] = { id: contact.id, wa, conversationId: contact.conversationId };
    }
  }, 60_000);

  afterAll(async () => {
    await running?.stop();
    await handle?.dispose();
    await graph?.close();
  });

  const api = (method: string, path: string, body?: unknown) =>
    fetch(`${running.baseUrl}/api/v1${path}`, {
      method,
      headers: { Authorization: `Bearer ${TEST_API_TOKEN}`, 'Content-Type': 'application/json' },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });

  it('refuses an unknown template with the known names, and saves nothing', async () => {
    const response = await api('POST', '/broadcasts', {
      topic: 'roast-news',
      content: { text: 'Neu!', whatsappTemplate: 'no_such_template' },
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: string; details: Array<{ message: string }> };
    expect(body.error).toBe('unknown WhatsApp template "no_such_template"');
    expect(body.details[0]?.message).toContain('roast_news_update');
    const list = (await (await api('GET', '/broadcasts')).json()) as { total: number };
    expect(list.total).toBe(0);
  });

  it('previews who gets the template and who the text, then sends exactly that', async () => {
    const created = await api('POST', '/broadcasts', {
      name: 'Röstpost Dezember',
      topic: 'roast-news',
      content: {
        text: { de: 'Neue Röstung: Kenia Nyeri!', en: 'New roast: Kenya Nyeri!' },
        whatsappTemplate: 'roast_news_update',
      },
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    const preview = (await (await api('POST', `/broadcasts/${id}/preview`)).json()) as {
      delivery: Record<string, { text: number; template: number; held: number }>;
      templateRecipients: Array<{ contactId: string; language: string; text: string }>;
    };
    expect(preview.delivery['whatsapp-cloud']).toEqual({ text: 1, template: 2, held: 0 });
    expect(preview.templateRecipients.map((r) => [r.contactId, r.language])).toEqual(
      [
        [people.anna!.id, 'de'],
        [people.cleo!.id, 'en'],
      ].sort((a, b) => a[0]!.localeCompare(b[0]!)),
    );
    expect(preview.templateRecipients.find((r) => r.contactId === people.cleo!.id)?.text).toContain(
      'Hi coffee friend,',
    );

    expect((await api('POST', `/broadcasts/${id}/send`)).status).toBe(202);
    await expect.poll(() => graph.whatsappMessages().length, { timeout: 20_000 }).toBe(3);
    const to = (wa: string) => graph.whatsappMessages().find((m) => m.to === wa);
    expect(to(people.anna!.wa)).toMatchObject({
      messaging_product: 'whatsapp',
      type: 'template',
      template: {
        name: 'roast_news_update',
        language: { code: 'de' },
        components: [{ type: 'body', parameters: [{ type: 'text', text: 'Anna' }] }],
      },
    });
    expect(to(people.cleo!.wa)).toMatchObject({
      type: 'template',
      template: {
        language: { code: 'en' },
        components: [{ type: 'body', parameters: [{ type: 'text', text: 'coffee friend' }] }],
      },
    });
    expect(to(people.ben!.wa)).toMatchObject({ type: 'text', text: { body: 'Neue Röstung: Kenia Nyeri!' } });

    await expect
      .poll(
        async () => {
          const detail = (await (await api('GET', `/broadcasts/${id}`)).json()) as {
            statistics: { sent: number; held: number };
          };
          return detail.statistics;
        },
        { timeout: 10_000 },
      )
      .toMatchObject({ sent: 3, held: 0 });
  });

  it('compares the template file with WhatsApp Manager for the marketer', async () => {
    graph.templates = [
      {
        name: 'roast_news_update',
        language: 'de',
        status: 'APPROVED',
        category: 'MARKETING',
        components: [
          {
            type: 'BODY',
            text: 'Hallo {{1}}, in der Rösterei Bohnenglück gibt es Neues für dich. Antworte mit „Mehr“, dann erzählen wir dir alles. Abmelden mit STOP.',
          },
        ],
      },
    ];
    await addStaff(store, 'mara@example.com', 'marketer');
    const marketer = new ConsoleClient(running.baseUrl);
    expect((await marketer.login('mara@example.com')).status).toBe(200);
    const check = await marketer.json<{
      rows: Array<{ name: string; language: string; status: string | null; bodyMatches: boolean | null }>;
    }>('GET', '/console/api/marketing/broadcasts/templates/check');
    expect(check.status).toBe(200);
    expect(check.body.rows.find((r) => r.name === 'roast_news_update' && r.language === 'de')).toMatchObject({
      status: 'APPROVED',
      bodyMatches: true,
    });
    // The English variant and the event templates are in the file but not at Meta.
    expect(check.body.rows.find((r) => r.language === 'en')?.status).toBeNull();
  });

  it('lets an agent answer with a template where the window is closed, and with text where it is open', async () => {
    const agent = await addStaff(store, 'anna.agent@example.com', 'agent', null, 'Anna Agent');
    await store.db
      .updateTable('conversations')
      .set({ status: 'agent', assigned_agent_id: agent.id })
      .where('id', 'in', [people.anna!.conversationId, people.ben!.conversationId])
      .execute();
    const client = new ConsoleClient(running.baseUrl);
    expect((await client.login('anna.agent@example.com')).status).toBe(200);
    // An agent without a team lists the inbox too (SQLite once refused the query).
    const mine = await client.json<{ items: Array<{ id: string }> }>(
      'GET',
      '/console/api/conversations?view=mine',
    );
    expect(mine.status).toBe(200);
    expect(mine.body.items.map((i) => i.id).sort()).toEqual(
      [people.anna!.conversationId, people.ben!.conversationId].sort(),
    );
    const templatesOf = (key: string) =>
      client.json<{ windowOpen: boolean | null; templates: Array<{ name: string; text: string }> }>(
        'GET',
        `/console/api/conversations/${people[key]!.conversationId}/templates`,
      );
    const closed = await templatesOf('anna');
    expect(closed.body.windowOpen).toBe(false);
    expect(closed.body.templates.find((x) => x.name === 'roast_news_update')?.text).toContain('Hallo Anna,');
    expect((await templatesOf('ben')).body.windowOpen).toBe(true);

    const reply = (key: string, body: unknown) =>
      client.json<{ error?: string }>(
        'POST',
        `/console/api/conversations/${people[key]!.conversationId}/reply`,
        body,
      );
    const unknown = await reply('anna', { text: 'Hallo', whatsappTemplate: 'nope' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toContain('unknown template "nope"');

    graph.calls.length = 0;
    expect(
      (
        await reply('anna', {
          text: 'Hallo Anna, deine Bestellung ist da.',
          whatsappTemplate: 'event_change',
        })
      ).status,
    ).toBe(201);
    expect((await reply('ben', { text: 'Hallo Ben, gern!', whatsappTemplate: 'event_change' })).status).toBe(
      201,
    );
    await expect.poll(() => graph.whatsappMessages().length, { timeout: 20_000 }).toBe(2);
    const to = (wa: string) => graph.whatsappMessages().find((m) => m.to === wa);
    expect(to(people.anna!.wa)).toMatchObject({
      type: 'template',
      template: { name: 'event_change', language: { code: 'de' } },
    });
    expect(to(people.ben!.wa)).toMatchObject({ type: 'text', text: { body: 'Hallo Ben, gern!' } });
  });

  it('holds the closed-window WhatsApp messages of a broadcast without a template', async () => {
    graph.calls.length = 0;
    const created = await api('POST', '/broadcasts', {
      topic: 'roast-news',
      content: { text: 'Nur Text' },
    });
    const { id } = (await created.json()) as { id: string };
    const preview = (await (await api('POST', `/broadcasts/${id}/preview`)).json()) as {
      delivery: Record<string, { text: number; template: number; held: number }>;
    };
    expect(preview.delivery['whatsapp-cloud']).toEqual({ text: 1, template: 0, held: 2 });
    await api('POST', `/broadcasts/${id}/send`);
    await expect
      .poll(
        async () => {
          const detail = (await (await api('GET', `/broadcasts/${id}`)).json()) as {
            statistics: { sent: number; held: number };
          };
          return detail.statistics;
        },
        { timeout: 20_000 },
      )
      .toMatchObject({ sent: 1, held: 2 });
    expect(graph.whatsappMessages().map((m) => m.type)).toEqual(['text']);
    // The two held messages would wait for a message that may never come: cancelling stops them.
    const cancelled = await api('POST', `/broadcasts/${id}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(await cancelled.json()).toMatchObject({ cancelledRows: 2, broadcast: { status: 'cancelled' } });
  });
});
