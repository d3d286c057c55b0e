/**
 * The whole shift in a real headless Chromium: a customer asks for a person through a channel fake → an agent
 * signs in, sees the conversation in the queue, takes it over and replies → the reply reaches the channel →
 * the agent returns it to the bot → the bot answers the next message. Screenshots go to test-results/console/.
 */
import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveCannedReply } from '../../src/console/api/canned-replies.js';
import { inbound, waitFor } from '../runtime/helpers.js';
import { CHROMIUM, hasChromium, launchChromium } from '../support/browser.js';
import { createTestDatabase, type TestStoreHandle } from '../support/stores.js';
import { addStaff, type ConsoleInstance, PASSWORD, startConsoleInstance } from './support.js';

if (!hasChromium)
  console.warn(`console browser test skipped: ${CHROMIUM} is missing (CI installs Debian's chromium)`);
const SHOTS = 'test-results/console';

describe.skipIf(!hasChromium)('console in a real browser', () => {
  let handle: TestStoreHandle;
  let instance: ConsoleInstance;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    handle = await createTestDatabase('sqlite');
    const store = await handle.open();
    instance = await startConsoleInstance(store);
    await addStaff(store, 'anna@bohnenglueck.de', 'agent', 'service', 'Anna Berger');
    await addStaff(store, 'ben@bohnenglueck.de', 'agent', 'service', 'Ben Roth');
    await addStaff(store, 'sven@bohnenglueck.de', 'supervisor', null, 'Sven Lange');
    await saveCannedReply(
      store,
      {
        shortcut: 'ersatz',
        locale: 'de',
        text: 'Wir schicken dir kostenlos Ersatz, er ist morgen unterwegs.',
      },
      'test',
      new Date(),
    );
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1366, height: 800 }, locale: 'de-DE' });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await instance?.stop();
    await handle?.dispose();
  });

  it('runs a handoff from the queue to the reply and back to the bot', async () => {
    const { adapter, plausch } = instance;
    const customer = 'tg-4711';
    const sentTo = () => adapter.textsTo(customer).map((t) => t ?? '');

    // 1. The customer asks for a person: the bot says once that the team is told, the conversation is queued.
    await plausch.runtime.accept(
      inbound(customer, 'Hallo', { profile: { firstName: 'Clara', lastName: 'Kunde' } }),
    );
    await plausch.runtime.whenIdle();
    await plausch.runtime.accept(
      inbound(customer, 'Ich habe eine Beschwerde: meine Bestellung ist kaputt angekommen'),
    );
    await plausch.runtime.whenIdle();
    await waitFor(
      () => sentTo().some((t) => t.includes('das tut mir wirklich leid')),
      'the queued notice to the customer',
    );
    const conversation = await plausch.store.db
      .selectFrom('conversations')
      .selectAll()
      .executeTakeFirstOrThrow();
    expect(conversation.status).toBe('queued');

    // 2. The agent signs in and sees the conversation waiting.
    await page.goto(`${instance.baseUrl}/console`);
    await page.getByLabel('E-Mail-Adresse').fill('anna@bohnenglueck.de');
    await page.getByLabel('Passwort').fill(PASSWORD);
    await page.getByRole('button', { name: 'Anmelden' }).click();
    const item = page.locator(`.conversation-item[data-id="${conversation.id}"]`);
    await item.waitFor({ timeout: 10_000 });
    await expect.poll(() => item.textContent()).toContain('Beschwerde');

    // A new message arrives while the agent looks at the queue: it shows without reload.
    await plausch.runtime.accept(inbound(customer, 'Meine Bestellnummer ist 20260417'));
    await expect
      .poll(() => item.textContent(), { timeout: 3_000 })
      .toContain('Meine Bestellnummer ist 20260417');
    await page.screenshot({ path: `${SHOTS}/inbox.png` });

    // 3. Take over and reply (Enter sends).
    await item.click();
    await page.locator('#transcript').getByText('Meine Bestellnummer ist 20260417').waitFor();
    await page.getByRole('button', { name: 'Übernehmen' }).click();
    await expect.poll(() => page.locator('#conversation-status').textContent()).toBe('Bei Mitarbeiter:in');
    const composer = page.getByLabel('Antwort an den Kunden');
    await composer.fill('Hallo Clara, das tut mir leid! Wir schicken dir sofort Ersatz.');
    await composer.press('Enter');
    await waitFor(
      () => sentTo().includes('Hallo Clara, das tut mir leid! Wir schicken dir sofort Ersatz.'),
      'the agent reply at the channel',
    );

    // A canned reply: "/ers" offers /ersatz, Enter inserts it, Enter sends it.
    await composer.fill('/ers');
    await page.locator('#canned-suggestions [role=option]').first().waitFor();
    await composer.press('Enter');
    await expect
      .poll(() => composer.inputValue())
      .toBe('Wir schicken dir kostenlos Ersatz, er ist morgen unterwegs.');
    await composer.press('Enter');
    await waitFor(
      () => sentTo().includes('Wir schicken dir kostenlos Ersatz, er ist morgen unterwegs.'),
      'the canned reply at the channel',
    );

    // An internal note stays internal.
    await page.getByRole('button', { name: 'Interne Notiz' }).click();
    await page
      .getByLabel('Interne Notiz', { exact: true })
      .fill('Ersatzlieferung im Shop angelegt, Nr. 4711');
    await page.getByRole('button', { name: 'Notiz speichern' }).click();
    await page.locator('.message.note').getByText('Ersatzlieferung im Shop angelegt').waitFor();
    expect(sentTo().some((t) => t.includes('Ersatzlieferung'))).toBe(false);
    await page.locator('.message.from-agent .delivery').first().waitFor();
    await page.screenshot({ path: `${SHOTS}/conversation.png` });

    // While the agent owns it the bot stays silent.
    const before = sentTo().length;
    await plausch.runtime.accept(inbound(customer, 'Danke!'));
    await plausch.runtime.whenIdle();
    expect(sentTo().length).toBe(before);

    // 4. Return to the bot; the bot answers the next message.
    await page.getByRole('button', { name: 'An den Bot zurückgeben' }).click();
    await expect.poll(() => page.locator('#conversation-status').textContent()).toBe('Bot');
    const afterReturn = sentTo().length;
    await plausch.runtime.accept(inbound(customer, 'Hallo'));
    await plausch.runtime.whenIdle();
    await waitFor(() => sentTo().length > afterReturn, 'the bot answering after the return');
    const bot = await plausch.store.db
      .selectFrom('messages')
      .select(['author', 'text'])
      .where('conversation_id', '=', conversation.id)
      .where('author', '=', 'bot')
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    // The greeting comes in several messages; the outbox sends them one after another.
    await waitFor(() => sentTo().at(-1) === bot.text, 'the last part of the bot answer at the channel');
    await page.screenshot({ path: `${SHOTS}/returned.png` });
  }, 60_000);

  it('gives a supervisor metrics and settings, in English on request', async () => {
    const context = await browser.newContext({ viewport: { width: 1366, height: 800 }, locale: 'en-US' });
    const supervisorPage = await context.newPage();
    await supervisorPage.goto(`${instance.baseUrl}/console`);
    await supervisorPage.getByLabel('E-mail address').fill('sven@bohnenglueck.de');
    await supervisorPage.getByLabel('Password').fill(PASSWORD);
    await supervisorPage.getByRole('button', { name: 'Sign in' }).click();
    await supervisorPage.getByRole('button', { name: 'Metrics' }).click();
    await supervisorPage.getByRole('heading', { name: 'By agent' }).waitFor();
    await expect
      .poll(() => supervisorPage.locator('#metrics tbody').first().textContent())
      .toContain('Anna Berger');
    await supervisorPage.screenshot({ path: `${SHOTS}/metrics.png` });
    await supervisorPage.getByRole('button', { name: 'Settings' }).click();
    await supervisorPage.getByLabel('Shortcut').fill('geduld');
    await supervisorPage.getByLabel('Text', { exact: true }).fill('Danke für deine Geduld!');
    await supervisorPage.getByRole('button', { name: 'Save' }).click();
    await supervisorPage.getByRole('rowheader', { name: '/geduld' }).waitFor();
    await supervisorPage.screenshot({ path: `${SHOTS}/settings.png` });
    await context.close();
  }, 30_000);
});
