/**
 * Broadcasts in Debian's Chromium, against the fake Telegram Bot API and the fake Graph API: a marketer signs
 * in, opens "Aussendungen", sees the confirmed subscribers counted per channel (the pending and the
 * unsubscribed person are not), writes a newsletter in German and English, picks the WhatsApp template and
 * sees who gets it, sends it, watches the progress reach everyone, and reads the funnel after a Telegram reply
 * and WhatsApp's delivered/read reports. Screenshots go to test-results/broadcasts/.
 */
import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signMetaPayload } from '../../src/channels/meta/signature.js';
import {
  confirmConsent,
  requestConsent,
  withdrawConsent,
  withNewsletterTables,
} from '../../src/features/newsletter/consent-ledger.js';
import type { Store } from '../../src/store/database.js';
import { FakeGraphApi } from '../fakes/graph-api.js';
import { FakeTelegramBotApi } from '../fakes/telegram-bot-api.js';
import { insertContact } from '../features/newsletter/support.js';
import { CHROMIUM, hasChromium, launchChromium } from '../support/browser.js';
import { type RunningPlausch, startPlausch } from '../support/plausch-instance.js';
import { createTestDatabase, type TestStoreHandle } from '../support/stores.js';
import { TelegramCustomer } from '../support/telegram-customer.js';
import { addStaff, PASSWORD } from './support.js';

if (!hasChromium) console.warn(`broadcasts browser test skipped: ${CHROMIUM} is missing`);
const SHOTS = 'test-results/broadcasts';
const APP_SECRET = 'whatsapp-app-secret';
const HOUR = 3_600_000;

interface Person {
  key: string;
  channel: 'telegram' | 'whatsapp-cloud';
  native: string;
  firstName: string;
  locale: string;
  consent: 'active' | 'pending' | 'unsubscribed';
  lastInboundHoursAgo: number;
  tags?: string[];
}

const PEOPLE: Person[] = [
  {
    key: 'anna',
    channel: 'telegram',
    native: '7001',
    firstName: 'Anna',
    locale: 'de',
    consent: 'active',
    lastInboundHoursAgo: 50,
    tags: ['leipzig'],
  },
  {
    key: 'ben',
    channel: 'telegram',
    native: '7002',
    firstName: 'Ben',
    locale: 'de',
    consent: 'active',
    lastInboundHoursAgo: 3,
  },
  {
    key: 'chloe',
    channel: 'telegram',
    native: '7003',
    firstName: 'Chloe',
    locale: 'en',
    consent: 'active',
    lastInboundHoursAgo: 10,
  },
  {
    key: 'dora',
    channel: 'telegram',
    native: '7004',
    firstName: 'Dora',
    locale: 'de',
    consent: 'pending',
    lastInboundHoursAgo: 1,
  },
  {
    key: 'emil',
    channel: 'telegram',
    native: '7005',
    firstName: 'Emil',
    locale: 'de',
    consent: 'unsubscribed',
    lastInboundHoursAgo: 1,
  },
  // Fritz wrote 30 hours ago: his window is closed, he gets the template. Greta wrote an hour ago: the text.
  {
    key: 'fritz',
    channel: 'whatsapp-cloud',
    native: '4915100000001',
    firstName: 'Fritz',
    locale: 'de',
    consent: 'active',
    lastInboundHoursAgo: 30,
    tags: ['leipzig'],
  },
  {
    key: 'greta',
    channel: 'whatsapp-cloud',
    native: '4915100000002',
    firstName: 'Greta',
    locale: 'de',
    consent: 'active',
    lastInboundHoursAgo: 1,
  },
];

describe.skipIf(!hasChromium)('broadcasts in a real browser', () => {
  let handle: TestStoreHandle;
  let telegram: FakeTelegramBotApi;
  let graph: FakeGraphApi;
  let running: RunningPlausch;
  let browser: Browser;
  let page: Page;
  let store: Store;
  const conversationOf: Record<string, string> = {};
  const errors: string[] = [];

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    telegram = await FakeTelegramBotApi.start();
    graph = await FakeGraphApi.start();
    handle = await createTestDatabase('sqlite');
    store = await handle.open();
    running = await startPlausch({
      store,
      telegramApiRoot: telegram.apiRoot,
      env: {
        META_APP_SECRET: APP_SECRET,
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
    for (const person of PEOPLE) {
      const contact = await insertContact(store, {
        channel: person.channel,
        locale: person.locale,
        ...(person.tags ? { tags: person.tags } : {}),
      });
      conversationOf[person.key] = contact.conversationId;
      await store.db
        .updateTable('contacts')
        .set({
          channel_contact_id: person.native,
          first_name: person.firstName,
          display_name: person.firstName,
          last_inbound_at: now - person.lastInboundHoursAgo * HOUR,
        })
        .where('id', '=', contact.id)
        .execute();
      const subject = {
        contactId: contact.id,
        channel: person.channel,
        source: 'api' as const,
        now: new Date(now - 2 * 24 * HOUR),
      };
      await requestConsent(db, subject, 'roast-news', 'Röstpost?');
      if (person.consent === 'pending') continue;
      await confirmConsent(db, subject, 'roast-news');
      if (person.consent === 'unsubscribed') await withdrawConsent(db, subject, 'roast-news');
    }
    await addStaff(store, 'mara@bohnenglueck.de', 'marketer', null, 'Mara Markt');
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 1800 }, locale: 'de-DE' });
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => {
      // Failed requests are checked by URL below (the sign-in probe answers 401 by design; the favicon 404).
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource'))
        errors.push(`console: ${message.text()}`);
    });
    page.on('response', (response) => {
      if (response.status() >= 400 && !response.url().endsWith('/console/api/me')) {
        errors.push(`${response.status()} ${response.url()}`);
      }
    });
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await running?.stop();
    await handle?.dispose();
    await telegram?.close();
    await graph?.close();
  });

  const openBroadcasts = async () => {
    await page.locator('[data-screen="broadcasts"]').click();
    await page.getByRole('heading', { name: 'Aussendungen', level: 1 }).waitFor({ timeout: 20_000 });
  };

  it('composes, previews, sends to the confirmed subscribers and shows progress', async () => {
    await page.goto(`${running.baseUrl}/console`);
    await page.getByLabel('E-Mail-Adresse').fill('mara@bohnenglueck.de');
    await page.getByLabel('Passwort').fill(PASSWORD);
    await page.getByRole('button', { name: 'Anmelden' }).click();
    await openBroadcasts();

    // Only the five who confirmed: Dora (only asked) and Emil (unsubscribed) are not counted.
    const count = page.getByTestId('audience-count');
    await expect.poll(() => count.textContent(), { timeout: 20_000 }).toBe('5 Empfänger:innen');
    const row = (channel: string) =>
      page.locator(`[data-testid="audience-table"] tr[data-channel="${channel}"] td`);
    await expect.poll(() => row('telegram').allTextContents()).toEqual(['Telegram', '3', '3', '–', '–']);
    // Without a template, Fritz (window closed) would wait.
    await expect
      .poll(() => row('whatsapp-cloud').allTextContents())
      .toEqual(['WhatsApp (Cloud API)', '2', '1', '–', '1']);

    await page.getByLabel('Name (nur intern)').fill('Röstpost Dezember');
    await page
      .getByLabel('Text (de)')
      .fill(
        'Neu in der Rösterei: *Kenia Nyeri*, fruchtig und hell. Antworte mit MEHR, dann erzählen wir dir alles.',
      );
    await page
      .getByLabel('Text (en)')
      .fill('New at the roastery: *Kenya Nyeri*. Reply MORE to hear all about it.');
    await page.getByLabel('Beschriftung').fill('Zum Shop');
    await page.getByLabel('Adresse (https://…)').fill('https://bohnenglueck.example/kenia');
    await page.getByLabel('WhatsApp-Vorlage').selectOption('roast_news_update');

    await expect
      .poll(() => row('whatsapp-cloud').allTextContents())
      .toEqual(['WhatsApp (Cloud API)', '2', '1', '1', '–']);
    const templateList = page.getByTestId('template-recipients');
    await expect.poll(() => templateList.textContent()).toContain('Fritz');
    expect(await templateList.textContent()).toContain('Hallo Fritz, in der Rösterei Bohnenglück');

    // The preview per channel: Telegram's inline link button, WhatsApp's call-to-action, the template bubble.
    const telegramCard = page.locator('[data-preview="telegram"]');
    // The preview is rendered again after each (debounced) change: wait for the last one, the link button.
    await expect.poll(() => telegramCard.textContent(), { timeout: 15_000 }).toContain('Zum Shop');
    expect(await telegramCard.textContent()).toContain('Kenia Nyeri');
    expect(await telegramCard.textContent()).toContain('Reiner Text');
    const whatsappCard = page.locator('[data-preview="whatsapp-cloud"]');
    expect(await whatsappCard.textContent()).toContain('*fett*');
    expect(await whatsappCard.getByTestId('template-preview').textContent()).toContain(
      'Hallo Kaffeefreund:in',
    );
    // WhatsApp shows its own markup: *Kenia Nyeri* is bold there, literal on Telegram.
    expect(await whatsappCard.locator('.bc-bubble-text strong').first().textContent()).toBe('Kenia Nyeri');
    expect(await telegramCard.locator('.bc-bubble-text strong').count()).toBe(0);
    // The channels nobody of this audience uses are one click away: WhatsApp Web turns the button into a link line.
    await page.getByText('So sähe es auf den anderen Kanälen aus').click();
    await expect
      .poll(() => page.locator('[data-preview="whatsapp-web"]').textContent())
      .toContain('Zum Shop: https://bohnenglueck.example/kenia');
    await page.screenshot({ path: `${SHOTS}/1-compose.png`, fullPage: true });

    await page.getByRole('button', { name: 'Senden …' }).click();
    await expect
      .poll(() => page.getByRole('alertdialog').textContent())
      .toContain('Wirklich jetzt an 5 Empfänger:innen senden?');
    await page.getByRole('button', { name: 'Ja, senden' }).click();

    const item = page.locator('.bc-item').first();
    await expect.poll(() => item.getByTestId('status').textContent(), { timeout: 30_000 }).toBe('Versendet');
    await expect
      .poll(() => item.getByTestId('progress').textContent(), { timeout: 30_000 })
      .toContain('5 von 5 verarbeitet');
    await page.screenshot({ path: `${SHOTS}/2-sent.png`, fullPage: true });

    // What really went out: three Telegram messages in the right language, the template to Fritz, the text to Greta.
    const sent = telegram.callsOf('sendMessage').map((c) => [String(c.body.chat_id), String(c.body.text)]);
    expect(sent.map(([chat]) => chat).sort()).toEqual(['7001', '7002', '7003']);
    expect(sent.find(([chat]) => chat === '7003')?.[1]).toContain('New at the roastery');
    const wa = (to: string) => graph.whatsappMessages().find((m) => m.to === to);
    expect(wa('4915100000001')).toMatchObject({
      type: 'template',
      template: {
        name: 'roast_news_update',
        language: { code: 'de' },
        components: [{ type: 'body', parameters: [{ type: 'text', text: 'Fritz' }] }],
      },
    });
    expect(wa('4915100000002')).toMatchObject({ type: 'interactive' });
  }, 120_000);

  it('reads the funnel after a reply on Telegram and WhatsApp’s delivery and read reports', async () => {
    new TelegramCustomer(telegram, 7001, { first_name: 'Anna', language_code: 'de' }).say('MEHR');
    const ids = graph.calls
      .filter((c) => c.api === 'whatsapp')
      .map((c, index) => ({ to: String(c.body.to), id: `wamid.FAKE${index + 1}` }));
    const statuses = [
      ...ids.map(({ id, to }) => ({
        id,
        status: 'delivered',
        timestamp: `${Math.floor(Date.now() / 1000)}`,
        recipient_id: to,
      })),
      {
        id: ids.find((x) => x.to === '4915100000002')!.id,
        status: 'read',
        timestamp: `${Math.floor(Date.now() / 1000)}`,
        recipient_id: '4915100000002',
      },
    ];
    const body = JSON.stringify({
      object: 'whatsapp_business_account',
      entry: [
        {
          id: '102290129340398',
          changes: [
            {
              field: 'messages',
              value: {
                messaging_product: 'whatsapp',
                metadata: { display_phone_number: '4915123456789', phone_number_id: '106540352242922' },
                statuses,
              },
            },
          ],
        },
      ],
    });
    const posted = await fetch(`${running.baseUrl}/webhooks/whatsapp`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        'X-Hub-Signature-256': signMetaPayload(body, APP_SECRET),
      },
      body,
    });
    expect(posted.status).toBe(200);

    // The screen stops polling once a broadcast is done; the marketer opens it again later.
    const funnel = () =>
      page.locator('.bc-item').first().getByTestId('funnel').locator('td').allTextContents();
    await expect
      .poll(
        async () => {
          await page.locator('[data-screen="dashboard"]').click();
          await openBroadcasts();
          await page.locator('.bc-item').first().waitFor();
          return funnel();
        },
        { timeout: 30_000, interval: 1_000 },
      )
      // sent, delivered, read (only WhatsApp reports them), replied (Anna), clicked, unsubscribed
      .toEqual(['5', '2', '1', '1', '0', '0']);
    await page.locator('[data-testid^="funnel-"]').first().waitFor();
    await page.screenshot({ path: `${SHOTS}/3-funnel.png`, fullPage: true });
    expect(errors).toEqual([]);
  }, 90_000);

  it('schedules a broadcast for tomorrow and cancels it before anything goes out', async () => {
    // A segment: only contacts tagged leipzig (Anna on Telegram, Fritz on WhatsApp).
    await page.getByLabel('Nur Kontakte mit einem dieser Tags').fill('leipzig');
    await expect.poll(() => page.getByTestId('audience-count').textContent()).toBe('2 Empfänger:innen');
    await page.getByLabel('Nur Kontakte mit einem dieser Tags').fill('');
    await expect.poll(() => page.getByTestId('audience-count').textContent()).toBe('5 Empfänger:innen');
    await page.getByLabel('Name (nur intern)').fill('Adventsgruß');
    await page.getByLabel('Text (de)').fill('Schönen ersten Advent aus der Rösterei!');
    await page.getByLabel('Planen für').first().check();
    const tomorrow = new Date(Date.now() + 24 * HOUR);
    const local = new Date(tomorrow.getTime() - tomorrow.getTimezoneOffset() * 60_000)
      .toISOString()
      .slice(0, 16);
    await page.locator('input[name="at"]').fill(local);
    await page.getByRole('button', { name: 'Planen …' }).click();
    await expect.poll(() => page.getByRole('alertdialog').textContent()).toContain('An 5 Empfänger:innen am');
    await page.getByRole('button', { name: 'Ja, planen' }).click();
    const item = page.locator('.bc-item', { hasText: 'Adventsgruß' });
    await expect.poll(() => item.getByTestId('status').textContent(), { timeout: 10_000 }).toBe('Geplant');
    await item.getByRole('button', { name: 'Abbrechen …' }).click();
    await item.getByRole('button', { name: 'Ja, abbrechen' }).click();
    await expect
      .poll(() => item.getByTestId('status').textContent(), { timeout: 10_000 })
      .toBe('Abgebrochen');
    await page.screenshot({ path: `${SHOTS}/4-cancelled.png`, fullPage: true });
    // Nothing of it went out (the bot's answer to Anna's reply may arrive meanwhile; it is not the broadcast).
    const all = JSON.stringify([telegram.callsOf('sendMessage'), graph.whatsappMessages()]);
    expect(all).not.toContain('Advent');
    expect(errors).toEqual([]);
  }, 60_000);

  it('compares the template file with WhatsApp Manager and offers the missing approved one', async () => {
    const body = (text: string) => [{ type: 'BODY', text }];
    graph.templates = [
      {
        name: 'roast_news_update',
        language: 'de',
        status: 'APPROVED',
        category: 'MARKETING',
        components: body(
          'Hallo {{1}}, in der Rösterei Bohnenglück gibt es Neues für dich. Antworte mit „Mehr“, dann erzählen wir dir alles. Abmelden mit STOP.',
        ),
      },
      {
        name: 'event_reminder',
        language: 'de',
        status: 'PENDING',
        category: 'UTILITY',
        components: body('x'),
      },
      {
        name: 'winter_sale',
        language: 'de',
        status: 'APPROVED',
        category: 'MARKETING',
        components: body('Hallo {{1}}, ab {{2}} ist Winterverkauf.'),
      },
    ];
    await page.getByRole('button', { name: 'Vorlagen mit WhatsApp Manager abgleichen' }).click();
    const table = page.getByTestId('template-check');
    await expect.poll(() => table.textContent(), { timeout: 10_000 }).toContain('winter_sale (de)');
    const text = (await table.textContent()) ?? '';
    expect(text).toContain('Meta meldet PENDING');
    expect(text).toContain('Meta kennt keine Vorlage');
    expect(text).toContain('roast_news_update (en)');
    expect(await page.locator('.bc-yaml').textContent()).toContain('name: winter_sale');
    await page.locator('.bc-template-check').screenshot({ path: `${SHOTS}/5-template-check.png` });
    expect(errors).toEqual([]);
  }, 60_000);

  it('lets an agent answer Fritz, whose window is closed, with a template from the inbox', async () => {
    const sven = await addStaff(store, 'sven@bohnenglueck.de', 'agent', null, 'Sven Service');
    await store.db
      .updateTable('conversations')
      .set({ status: 'agent', assigned_agent_id: sven.id })
      .where('id', '=', conversationOf.fritz!)
      .execute();
    const agent = await browser.newPage({ viewport: { width: 1300, height: 900 }, locale: 'de-DE' });
    agent.on('pageerror', (error) => errors.push(`agent: ${error.message}`));
    await agent.goto(`${running.baseUrl}/console`);
    await agent.getByLabel('E-Mail-Adresse').fill('sven@bohnenglueck.de');
    await agent.getByLabel('Passwort').fill(PASSWORD);
    await agent.getByRole('button', { name: 'Anmelden' }).click();
    await agent.locator('[data-view="mine"]').click();
    await agent.locator('.conversation-item', { hasText: 'Fritz' }).click();
    const row = agent.locator('#composer-window');
    await row.waitFor({ state: 'visible', timeout: 15_000 });
    expect(await row.textContent()).toContain('seit über 24 Stunden');
    await agent.getByLabel('WhatsApp-Vorlage').selectOption('roast_news_update');
    await expect.poll(() => agent.locator('#composer-template-text').textContent()).toContain('Hallo Fritz,');
    await agent.locator('#composer-text').fill('Hallo Fritz, deine Bestellung ist unterwegs.');
    await agent.screenshot({ path: `${SHOTS}/6-agent-template.png` });
    const before = graph.whatsappMessages().filter((m) => m.to === '4915100000001').length;
    await agent.locator('#send').click();
    await expect
      .poll(() => graph.whatsappMessages().filter((m) => m.to === '4915100000001').length, {
        timeout: 20_000,
      })
      .toBe(before + 1);
    expect(
      graph
        .whatsappMessages()
        .filter((m) => m.to === '4915100000001')
        .at(-1),
    ).toMatchObject({
      type: 'template',
      template: { name: 'roast_news_update', components: [{ parameters: [{ text: 'Fritz' }] }] },
    });
    await agent.close();
    expect(errors).toEqual([]);
  }, 60_000);
});
