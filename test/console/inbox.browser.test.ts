/**
 * The inbox as customers and agents meet it, in a real headless Chromium: a web-chat customer on a phone sees
 * that Anna took over and receives an image from her; a new waiting chat raises a notification; a complaint
 * with a photo sent through the fake Telegram Bot API jumps the queue with its SLA clock, and the photo shows
 * in the console (fetched through getFile once, then cached); Anna names and tags the customer, greets her with a
 * shipped canned reply, closes, and the customer's rating (a Telegram button) lands in the results' CSAT panel.
 * Screenshots go to test-results/inbox/.
 */
import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import QRCode from 'qrcode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPlausch, type Plausch } from '../../src/app/plausch.js';
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/logger.js';
import { FakeTelegramBotApi } from '../fakes/telegram-bot-api.js';
import { waitFor } from '../runtime/helpers.js';
import { hasChromium, launchChromium } from '../support/browser.js';
import { createTestDatabase, type TestStoreHandle } from '../support/stores.js';
import { addStaff, officeHoursClock, PASSWORD } from './support.js';

const SHOTS = 'test-results/inbox';

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', () => resolve()));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

describe.skipIf(!hasChromium)('the inbox with customers on the web chat and Telegram', () => {
  let handle: TestStoreHandle;
  let plausch: Plausch;
  let server: Server;
  let fake: FakeTelegramBotApi;
  let baseUrl: string;
  let browser: Browser;
  let agentContext: BrowserContext;
  let agent: Page;
  let picture: Buffer;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    picture = await QRCode.toBuffer('Bohnenglück – Ersatzlieferung 4711', { width: 240 });
    fake = await FakeTelegramBotApi.start();
    handle = await createTestDatabase('sqlite');
    const store = await handle.open();
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    const config = loadConfig({
      NODE_ENV: 'test',
      FLOWS_DIR: 'flows',
      DATABASE_URL: '',
      WEBCHAT_ENABLED: 'true',
      LOG_LEVEL: 'silent',
      PUBLIC_URL: baseUrl,
      TELEGRAM_BOT_TOKEN: '123456:TEST-token',
      TELEGRAM_API_ROOT: fake.apiRoot,
      TELEGRAM_BOT_USERNAME: 'bohnenglueck_bot',
      INSTANCE_ID: `inbox-browser-${Math.random().toString(36).slice(2)}`,
    });
    plausch = await createPlausch({ config, logger: silentLogger, store, now: officeHoursClock() });
    await plausch.start();
    server = await new Promise((resolve) => {
      const listening = plausch.http.listen(port, '127.0.0.1', () => resolve(listening));
    });
    await addStaff(store, 'anna@bohnenglueck.de', 'agent', 'service', 'Anna Berger');
    browser = await launchChromium();
    agentContext = await browser.newContext({ viewport: { width: 1366, height: 860 }, locale: 'de-DE' });
    // Desktop notifications are recorded instead of shown (headless Chromium has no notification centre).
    await agentContext.addInitScript(() => {
      const shown: Array<{ title: string; body: string }> = [];
      (window as unknown as { __notifications: typeof shown }).__notifications = shown;
      class RecordedNotification {
        static permission = 'granted';
        static requestPermission = async () => 'granted';
        onclick: (() => void) | null = null;
        constructor(title: string, options: { body?: string } = {}) {
          shown.push({ title, body: options.body ?? '' });
        }
      }
      (window as unknown as { Notification: unknown }).Notification = RecordedNotification;
    });
    agent = await agentContext.newPage();
    await agent.goto(`${baseUrl}/console`);
    await agent.getByLabel('E-Mail-Adresse').fill('anna@bohnenglueck.de');
    await agent.getByLabel('Passwort').fill(PASSWORD);
    await agent.getByRole('button', { name: 'Anmelden' }).click();
    await agent.locator('#conversation-list').waitFor();
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await plausch?.stop();
    await fake?.close();
    await handle?.dispose();
  });

  it('tells a web-chat customer that Anna took over and delivers her image; the new chat notified Anna', async () => {
    const phone = await browser.newContext({
      viewport: { width: 390, height: 780 },
      locale: 'de-DE',
      isMobile: true,
      hasTouch: true,
    });
    const customer = await phone.newPage();
    await customer.goto(`${baseUrl}/`);
    const widget = customer.locator('[data-plausch-widget]');
    await widget.locator('.bubble').click();
    const log = widget.locator('.log');
    await log.locator('.msg.in').first().waitFor({ timeout: 15_000 });
    await widget.locator('textarea').fill('Ich möchte mit einem Mitarbeiter sprechen');
    await widget.locator('textarea').press('Enter');

    // The new waiting chat reaches Anna: unread marker, title count, desktop notification.
    const item = agent.locator('.conversation-item').first();
    await item.waitFor({ timeout: 15_000 });
    await expect.poll(() => agent.title(), { timeout: 10_000 }).toMatch(/^\(1\) /);
    await expect
      .poll(() => agent.evaluate(() => (window as unknown as { __notifications: unknown[] }).__notifications))
      .toEqual([expect.objectContaining({ body: expect.stringContaining('Neues wartendes Gespräch') })]);
    await item.locator('.unread-dot').waitFor();
    await agent.screenshot({ path: `${SHOTS}/notification.png` });

    await item.click();
    await agent.getByRole('button', { name: 'Übernehmen' }).click();
    await expect.poll(() => agent.locator('#conversation-status').textContent()).toBe('Bei Mitarbeiter:in');
    expect(await agent.title()).not.toMatch(/^\(/);

    // The customer is told who is there now, and sees Anna as a person, not the bot.
    await log.getByText('Anna aus dem Team ist jetzt für dich da.').waitFor({ timeout: 10_000 });
    await expect.poll(() => log.locator('.who').last().textContent()).toContain('Anna aus dem Team');

    // Anna sends a picture with a line of text and a link.
    await agent.locator('#attach-file').setInputFiles({
      name: 'ersatz.png',
      mimeType: 'image/png',
      buffer: picture,
    });
    await agent.locator('.attachment-chip').getByText('ersatz.png').waitFor();
    const composer = agent.getByLabel('Antwort an den Kunden');
    await composer.fill('Hier ist dein Ersatz-Code, Details auf https://bohnenglueck.de/ersatz');
    await composer.press('Enter');
    await agent.locator('.message.from-agent img.media-image').waitFor();
    await expect
      .poll(() =>
        agent
          .locator('.message.from-agent img.media-image')
          .evaluate((img: HTMLImageElement) => img.naturalWidth),
      )
      .toBeGreaterThan(0);

    const image = log.locator('.msg.agent img');
    await image.waitFor({ timeout: 10_000 });
    await expect.poll(() => image.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(240);
    const link = log.locator('.msg.agent a[href="https://bohnenglueck.de/ersatz"]');
    expect(await link.getAttribute('rel')).toBe('noopener noreferrer');
    // The panel fills the phone's screen and the newest message (the image) is in view.
    const panel = await widget.locator('.panel').boundingBox();
    expect(panel?.width).toBe(390);
    await expect
      .poll(() => log.evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight))
      .toBeLessThan(5);
    await customer.screenshot({ path: `${SHOTS}/webchat-anna-image.png` });

    // After a reload the conversation, Anna's name and the image are still there.
    await customer.reload();
    // The panel was open, so it opens again (on a phone it covers the bubble).
    await widget.locator('.panel').waitFor();
    await log.locator('.msg.agent img').waitFor();
    expect(await log.locator('.who').allTextContents()).toContain('AAnna aus dem Team');

    // Back to the bot: the customer hears so.
    await agent.getByRole('button', { name: 'An den Bot zurückgeben' }).click();
    await log.getByText('Du schreibst jetzt wieder mit dem Chat-Assistenten', { exact: false }).waitFor({
      timeout: 10_000,
    });
    // …and, after a conversation with a person, is asked once for a rating, with buttons.
    await log.getByText('Wie zufrieden warst du mit der Hilfe von Anna', { exact: false }).waitFor({
      timeout: 10_000,
    });
    await expect.poll(() => widget.locator('button', { hasText: /^5$/ }).count()).toBeGreaterThan(0);
    await customer.screenshot({ path: `${SHOTS}/webchat-back-to-bot.png` });
    await agent.screenshot({ path: `${SHOTS}/agent-sent-image.png` });
    await phone.close();
  }, 90_000);

  it('puts a Telegram complaint with a photo first in the queue with its SLA clock, and shows the photo', async () => {
    const send = (chatId: number, firstName: string, message: Record<string, unknown>) =>
      fake.pushUpdate({
        message: {
          message_id: Math.floor(Math.random() * 1e9),
          from: { id: chatId, is_bot: false, first_name: firstName, language_code: 'de' },
          chat: { id: chatId, type: 'private', first_name: firstName },
          date: Math.floor(Date.now() / 1000),
          ...message,
        },
      });
    // First someone who just wants a person, then a complaint: the complaint is listed first.
    send(7001, 'Paul', { text: 'Ich möchte mit einem Mitarbeiter sprechen' });
    await waitFor(async () => (await waitingCount()) === 1, 'the first customer in the queue');
    send(7002, 'Clara', { text: 'Ich habe eine Beschwerde, die Packung ist kaputt angekommen' });
    await waitFor(async () => (await waitingCount()) === 2, 'the complaint in the queue');
    fake.addFile('clara-photo-big', picture);
    send(7002, 'Clara', {
      photo: [
        { file_id: 'clara-photo-small', file_unique_id: 's', width: 90, height: 90, file_size: 900 },
        {
          file_id: 'clara-photo-big',
          file_unique_id: 'b',
          width: 240,
          height: 240,
          file_size: picture.length,
        },
      ],
      caption: 'So kam das Paket an',
    });

    await agent.locator('.tab[data-view="waiting"]').click();
    const first = agent.locator('.conversation-item').first();
    await expect.poll(() => first.locator('.item-name').textContent(), { timeout: 10_000 }).toBe('Clara');
    expect(await first.locator('.badge.priority').textContent()).toContain('Beschwerde');
    await expect.poll(() => first.locator('.sla').textContent()).toMatch(/^Ziel: noch/);
    expect(await agent.locator('.conversation-item').nth(1).locator('.item-name').textContent()).toBe('Paul');
    await agent.screenshot({ path: `${SHOTS}/complaint-first.png` });

    await first.click();
    const photo = agent.locator('#transcript .message.from-contact img.media-image');
    await photo.waitFor({ timeout: 10_000 });
    await expect.poll(() => photo.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(240);
    await agent.locator('#transcript').getByText('So kam das Paket an').waitFor();
    await agent.screenshot({ path: `${SHOTS}/telegram-photo.png` });
    // Fetched once through getFile, then served from the cache.
    await agent.reload();
    await agent.locator('.conversation-item').first().click();
    await photo.waitFor();
    await expect.poll(() => photo.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(240);
    expect(fake.callsOf('getFile').map((c) => c.body.file_id)).toEqual(['clara-photo-big']);
    expect(fake.downloads.get('photos/clara-photo-big.jpg')).toBe(1);
  }, 90_000);

  it("lets Anna name and tag Clara, greet her with a canned reply, close, and Clara's rating lands in the figures", async () => {
    // Clara's complaint from the test before is still waiting and open in Anna's inbox.
    await agent.locator('.conversation-item').first().click();
    await agent.getByRole('button', { name: 'Übernehmen' }).click();
    await expect.poll(() => agent.locator('#conversation-status').textContent()).toBe('Bei Mitarbeiter:in');

    // The contact panel: the name from Telegram, then the one Anna gives, and a tag.
    await expect.poll(() => agent.locator('#contact-name').textContent()).toBe('Clara');
    await agent.getByRole('button', { name: 'Name und Tags bearbeiten' }).click();
    await agent.locator('#contact-edit-name').fill('Clara Weber');
    await agent.locator('#contact-edit-tags').fill('stammkundin, bruch');
    await agent.locator('#contact-edit').getByRole('button', { name: 'Speichern' }).click();
    await expect.poll(() => agent.locator('#contact-name').textContent()).toBe('Clara Weber');
    expect(await agent.locator('#contact-tags li').allTextContents()).toEqual(['stammkundin', 'bruch']);
    expect(await agent.locator('#contact-pane').textContent()).toContain('Im Messenger: Clara');
    // The list shows the new name too (she is in "Meine" now).
    await agent.locator('.tab[data-view="mine"]').click();
    await expect
      .poll(() => agent.locator('.conversation-item[aria-current="true"] .item-name').textContent())
      .toBe('Clara Weber');

    // A shipped canned reply with variables: inserted filled in, sent as read.
    const composer = agent.getByLabel('Antwort an den Kunden');
    await composer.fill('/hal');
    await agent.locator('#canned-suggestions [role=option]').first().waitFor();
    await composer.press('Enter');
    const greeting = 'Hallo Clara, hier ist Anna vom Bohnenglück-Team. Wie kann ich dir helfen?';
    await expect.poll(() => composer.inputValue()).toBe(greeting);
    await composer.press('Enter');
    const toClara = () =>
      fake.calls.filter((c) => c.method === 'sendMessage' && String(c.body.chat_id) === '7002');
    await waitFor(() => toClara().some((c) => c.body.text === greeting), 'the greeting at Telegram');
    await agent.screenshot({ path: `${SHOTS}/contact-panel-canned.png` });

    // Away and back: the top-bar switch.
    await agent.locator('#availability').click();
    await expect.poll(() => agent.locator('#availability').textContent()).toContain('Abwesend');
    await agent.locator('header.topbar').screenshot({ path: `${SHOTS}/topbar-away.png` });
    await agent.locator('#availability').click();
    await expect.poll(() => agent.locator('#availability').textContent()).toContain('Verfügbar');

    // Close: Clara gets the rating question with Telegram buttons, presses 4 and writes a comment.
    await agent.getByRole('button', { name: 'Abschließen' }).click();
    await waitFor(
      () =>
        toClara().some((c) =>
          String(c.body.text).startsWith('Wie zufrieden warst du mit der Hilfe von Anna'),
        ),
      'the rating question at Telegram',
    );
    const question = toClara().find((c) => String(c.body.text).startsWith('Wie zufrieden'))!;
    const keyboard = (
      question.body as {
        reply_markup?: { inline_keyboard?: Array<Array<{ text: string; callback_data: string }>> };
      }
    ).reply_markup?.inline_keyboard?.flat();
    expect(keyboard?.map((b) => b.text)).toEqual(['1', '2', '3', '4', '5']);
    fake.pushUpdate({
      callback_query: {
        id: String(Math.floor(Math.random() * 1e9)),
        from: { id: 7002, is_bot: false, first_name: 'Clara', language_code: 'de' },
        chat_instance: 'ci-7002',
        message: {
          message_id: 1,
          chat: { id: 7002, type: 'private' },
          date: Math.floor(Date.now() / 1000),
          text: '…',
        },
        data: keyboard?.find((b) => b.text === '4')?.callback_data,
      },
    });
    await waitFor(
      () => toClara().some((c) => String(c.body.text).startsWith('Danke für deine Bewertung')),
      'the thanks at Telegram',
    );
    fake.pushUpdate({
      message: {
        message_id: Math.floor(Math.random() * 1e9),
        from: { id: 7002, is_bot: false, first_name: 'Clara', language_code: 'de' },
        chat: { id: 7002, type: 'private', first_name: 'Clara' },
        date: Math.floor(Date.now() / 1000),
        text: 'Anna war super schnell!',
      },
    });
    await waitFor(
      () => toClara().some((c) => c.body.text === 'Danke, das geben wir ans Team weiter.'),
      'the comment thanks at Telegram',
    );

    // The transcript shows the question to Anna; the history lists the rated conversation.
    await agent.locator('#transcript').getByText('Wie zufrieden warst du', { exact: false }).waitFor();
    await expect.poll(() => agent.locator('#contact-history').textContent()).toContain('★ 4/5');
    await agent.screenshot({ path: `${SHOTS}/closed-rated.png` });

    // The figures: an admin opens the results; the CSAT panel shows Anna's 4.
    await addStaff(plausch.store, 'ada@bohnenglueck.de', 'admin', null, 'Ada Admin');
    const adminContext = await browser.newContext({
      viewport: { width: 1366, height: 1400 },
      locale: 'de-DE',
    });
    const admin = await adminContext.newPage();
    await admin.goto(`${baseUrl}/console`);
    await admin.getByLabel('E-Mail-Adresse').fill('ada@bohnenglueck.de');
    await admin.getByLabel('Passwort').fill(PASSWORD);
    await admin.getByRole('button', { name: 'Anmelden' }).click();
    await admin.locator('button[data-screen="dashboard"]').click();
    // Plausch's clock runs in next week's office hours: the range reaches that far.
    const until = new Date(Date.now() + 14 * 86_400_000).toISOString().slice(0, 10);
    await admin.locator('input[name="to"]').fill(until);
    const panel = admin.locator('[data-figure="csat"]');
    await panel.locator('table').waitFor({ timeout: 20_000 });
    await expect
      .poll(() => panel.locator('[data-testid="csat-summary"]').textContent())
      .toContain('Ø 4 von 5');
    const annaRow = panel.locator('tbody tr').filter({ hasText: 'Anna Berger' });
    expect(await annaRow.locator('td').allTextContents()).toEqual([
      'Person',
      'service',
      'Anna Berger',
      // Asked twice: the web-chat customer (handed back, no answer) and Clara.
      '2',
      '1',
      '4',
      '100',
    ]);
    await panel.scrollIntoViewIfNeeded();
    await panel.screenshot({ path: `${SHOTS}/csat-figure.png` });
    const csv = await admin.evaluate(
      async (to) => (await fetch(`/console/api/insights/csat?format=csv&to=${to}`)).text(),
      until,
    );
    expect(csv).toContain('agent,service,Anna Berger,2,1,4,100');
    await adminContext.close();
  }, 120_000);

  async function waitingCount(): Promise<number> {
    const rows = await plausch.store.db
      .selectFrom('conversations')
      .select('id')
      .where('status', '=', 'queued')
      .execute();
    return rows.length;
  }
});
