/**
 * Assignment rules in a real headless Chromium: with `round_robin`, a new waiting chat goes straight to Anna, who
 * is signed in and available; her console raises a notification and lists it under "Meine"; while she is away the
 * next chat waits in the queue. Screenshots go to test-results/inbox/.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inbound } from '../runtime/helpers.js';
import { hasChromium, launchChromium } from '../support/browser.js';
import { createTestDatabase, type TestStoreHandle } from '../support/stores.js';
import { addStaff, type ConsoleInstance, PASSWORD, startConsoleInstance } from './support.js';

const SHOTS = 'test-results/inbox';

describe.skipIf(!hasChromium)('assignment rules in the browser', () => {
  let handle: TestStoreHandle;
  let instance: ConsoleInstance;
  let browser: Browser;
  let page: Page;
  let flowsDir = '';

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    flowsDir = join(mkdtempSync(join(tmpdir(), 'plausch-assign-browser-')), 'flows');
    cpSync('flows', flowsDir, { recursive: true });
    const file = join(flowsDir, 'handoff', 'settings.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace(/^ {2}mode: manual$/m, '  mode: round_robin'));
    handle = await createTestDatabase('sqlite');
    const store = await handle.open();
    instance = await startConsoleInstance(store, { flowsDir });
    await addStaff(store, 'anna@bohnenglueck.de', 'agent', 'service', 'Anna Berger');
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1366, height: 800 }, locale: 'de-DE' });
    await context.addInitScript(() => {
      const shown: string[] = [];
      (window as unknown as { __notifications: string[] }).__notifications = shown;
      class RecordedNotification {
        static permission = 'granted';
        static requestPermission = async () => 'granted';
        onclick: (() => void) | null = null;
        constructor(_title: string, options: { body?: string } = {}) {
          shown.push(options.body ?? '');
        }
      }
      (window as unknown as { Notification: unknown }).Notification = RecordedNotification;
    });
    page = await context.newPage();
    await page.goto(`${instance.baseUrl}/console`);
    await page.getByLabel('E-Mail-Adresse').fill('anna@bohnenglueck.de');
    await page.getByLabel('Passwort').fill(PASSWORD);
    await page.getByRole('button', { name: 'Anmelden' }).click();
    await page.locator('#conversation-list').waitFor();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await instance?.stop();
    await handle?.dispose();
    if (flowsDir) rmSync(flowsDir, { recursive: true, force: true });
  });

  it('hands a new chat to the available agent with a notification, and none while she is away', async () => {
    const { plausch, adapter } = instance;
    await expect.poll(() => page.locator('#availability').textContent()).toContain('Verfügbar');
    await plausch.runtime.accept(
      inbound('as-1', 'Ich möchte mit einem Mitarbeiter sprechen', { profile: { firstName: 'Jonas' } }),
    );
    await plausch.runtime.whenIdle();
    await expect
      .poll(() => page.evaluate(() => (window as unknown as { __notifications: string[] }).__notifications), {
        timeout: 10_000,
      })
      .toContainEqual(expect.stringMatching(/^Dir zugewiesen: Jonas|^Dir wurde ein Gespräch zugewiesen/));
    await expect.poll(() => page.title()).toMatch(/^\(1\) /);
    await expect.poll(() => adapter.textsTo('as-1')).toContain('Anna aus dem Team ist jetzt für dich da.');
    await page.locator('.tab[data-view="mine"]').click();
    const item = page.locator('.conversation-item').first();
    await expect.poll(() => item.locator('.item-name').textContent()).toBe('Jonas');
    await item.click();
    await page.locator('#transcript').getByText('Automatisch Anna Berger zugewiesen').waitFor();
    await page.screenshot({ path: `${SHOTS}/auto-assigned.png` });

    // Away: the next customer waits in the queue.
    await page.locator('#availability').click();
    await expect.poll(() => page.locator('#availability').textContent()).toContain('Abwesend');
    await plausch.runtime.accept(inbound('as-2', 'Mitarbeiter bitte', { profile: { firstName: 'Lea' } }));
    await plausch.runtime.whenIdle();
    await page.locator('.tab[data-view="waiting"]').click();
    await expect
      .poll(() => page.locator('.conversation-item .item-name').allTextContents(), { timeout: 10_000 })
      .toEqual(['Lea']);
    // Back: Lea comes to Anna at once.
    await page.locator('#availability').click();
    await expect
      .poll(() => adapter.textsTo('as-2'), { timeout: 10_000 })
      .toContain('Anna aus dem Team ist jetzt für dich da.');
    await page.screenshot({ path: `${SHOTS}/back-from-away.png` });
  }, 60_000);
});
