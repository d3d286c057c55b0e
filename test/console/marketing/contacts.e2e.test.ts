/**
 * Contacts and erasure in Debian's Chromium: a marketer finds a customer, sees the consent history, erases the
 * contact through the confirmation step, and the customer is gone from the search and from the contacts table.
 * Screenshots go to test-results/marketer/.
 */
import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  confirmConsent,
  requestConsent,
  withNewsletterTables,
} from '../../../src/features/newsletter/consent-ledger.js';
import { inbound } from '../../runtime/helpers.js';
import { CHROMIUM, hasChromium, launchChromium } from '../../support/browser.js';
import { createTestDatabase, type TestStoreHandle } from '../../support/stores.js';
import { addStaff, type ConsoleInstance, PASSWORD, startConsoleInstance } from '../support.js';

if (!hasChromium) console.warn(`contacts browser test skipped: ${CHROMIUM} is missing`);
const SHOTS = 'test-results/marketer';

describe.skipIf(!hasChromium)('contacts and erasure in a real browser', () => {
  let handle: TestStoreHandle;
  let instance: ConsoleInstance;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    handle = await createTestDatabase('sqlite');
    const store = await handle.open();
    instance = await startConsoleInstance(store);
    await addStaff(store, 'mara@bohnenglueck.de', 'marketer', null, 'Mara Markt');
    const profile = { firstName: 'Ottilie', lastName: 'Kaffeesatz', displayName: 'Ottilie Kaffeesatz' };
    await instance.plausch.runtime.accept(inbound('tg-ottilie', 'Hallo', { profile }));
    await instance.plausch.runtime.whenIdle();
    const contact = await store.db
      .selectFrom('contacts')
      .select('id')
      .where('channel_contact_id', '=', 'tg-ottilie')
      .executeTakeFirstOrThrow();
    const subject = { contactId: contact.id, channel: 'telegram', source: 'api' as const, now: new Date() };
    await requestConsent(withNewsletterTables(store.db), subject, 'roast-news', 'Röst-News?');
    await confirmConsent(withNewsletterTables(store.db), { ...subject, now: new Date() }, 'roast-news');
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 }, locale: 'de-DE' });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await instance?.stop();
    await handle?.dispose();
  });

  it('finds a contact, shows the consent history and erases it after confirmation', async () => {
    await page.goto(`${instance.baseUrl}/console`);
    await page.getByLabel('E-Mail-Adresse').fill('mara@bohnenglueck.de');
    await page.getByLabel('Passwort').fill(PASSWORD);
    await page.getByRole('button', { name: 'Anmelden' }).click();
    await page.locator('[data-screen="contacts"]').click();
    await page.getByLabel('Suche (Name, Telefon, Kanal-ID)').fill('ottilie');
    await page.getByRole('button', { name: /Ottilie Kaffeesatz/ }).click();
    await expect
      .poll(() => page.locator('.ct-table').textContent(), { timeout: 15_000 })
      .toContain('confirmed');
    await page.screenshot({ path: `${SHOTS}/contact-profile.png` });

    await page.getByRole('button', { name: 'Kontakt löschen …' }).click();
    await page.screenshot({ path: `${SHOTS}/contact-erase-confirm.png` });
    await page.getByRole('button', { name: 'Endgültig löschen' }).click();
    await expect
      .poll(() => page.locator('.ct-profile').textContent(), { timeout: 15_000 })
      .toContain('Wähle links');
    await expect.poll(() => page.locator('.ct-list').textContent()).toContain('Keine Kontakte gefunden');
    await page.screenshot({ path: `${SHOTS}/contact-erased.png` });

    const row = await instance.plausch.store.db
      .selectFrom('contacts')
      .select(['first_name', 'display_name', 'channel_contact_id'])
      .executeTakeFirstOrThrow();
    expect(row.first_name).toBeNull();
    expect(row.display_name).toBeNull();
    expect(row.channel_contact_id).toMatch(/^erased:/);
  }, 90_000);
});
