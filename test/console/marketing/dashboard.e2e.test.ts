/**
 * The results dashboard in Debian's Chromium: a marketer signs in, opens "Ergebnisse", picks the seeded week
 * and sees every chart drawn (canvas pixels, not just elements) with the numbers of the API. Screenshots go
 * to test-results/marketer/.
 */
import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSeed, writeSeed } from '../../features/insights/seed.js';
import { CHROMIUM, hasChromium, launchChromium } from '../../support/browser.js';
import { createTestDatabase, type TestStoreHandle } from '../../support/stores.js';
import { addStaff, type ConsoleInstance, PASSWORD, startConsoleInstance } from '../support.js';

if (!hasChromium) console.warn(`dashboard browser test skipped: ${CHROMIUM} is missing`);
const SHOTS = 'test-results/marketer';

describe.skipIf(!hasChromium)('results dashboard in a real browser', () => {
  let handle: TestStoreHandle;
  let instance: ConsoleInstance;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    handle = await createTestDatabase('sqlite');
    const store = await handle.open();
    await writeSeed(store, buildSeed());
    instance = await startConsoleInstance(store);
    await addStaff(store, 'mara@bohnenglueck.de', 'marketer', null, 'Mara Markt');
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 2400 }, locale: 'de-DE' });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await instance?.stop();
    await handle?.dispose();
  });

  it('draws every chart of the seeded week, with the per-region referral table', async () => {
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    // Failed requests by URL (the shell's "am I signed in?" probe before the login answers 401 by design).
    page.on('response', (response) => {
      if (response.status() >= 400 && !response.url().endsWith('/console/api/me')) {
        errors.push(`${response.status()} ${response.url()}`);
      }
    });
    await page.goto(`${instance.baseUrl}/console`);
    await page.getByLabel('E-Mail-Adresse').fill('mara@bohnenglueck.de');
    await page.getByLabel('Passwort').fill(PASSWORD);
    await page.getByRole('button', { name: 'Anmelden' }).click();
    await page.locator('[data-screen="dashboard"]').click();
    await page.locator('input[name="from"]').fill('2026-11-02');
    await page.locator('input[name="to"]').fill('2026-11-08');

    const charts = [
      'referrals',
      'referrals-geo',
      'conversations',
      'contacts',
      'service',
      'service-feedback',
      'newsletter',
      'broadcasts',
      'events',
      'handoff',
    ];
    for (const id of charts) {
      await page.locator(`[data-testid="chart-${id}"]`).waitFor({ timeout: 20_000 });
    }
    await expect
      .poll(
        () =>
          page.evaluate((ids) => {
            return ids.map((id) => {
              const canvas = document.querySelector<HTMLCanvasElement>(`[data-testid="chart-${id}"]`);
              if (!canvas || canvas.width === 0) return `${id}: no canvas`;
              const data = canvas.getContext('2d')?.getImageData(0, 0, canvas.width, canvas.height).data;
              let painted = 0;
              for (let i = 3; data && i < data.length; i += 4) if (data[i]! > 0) painted++;
              return painted > 500 ? 'ok' : `${id}: ${painted} pixels`;
            });
          }, charts),
        { timeout: 20_000 },
      )
      .toEqual(charts.map(() => 'ok'));

    const geo = page.locator('[data-figure="referrals-geo"] table');
    await expect.poll(() => geo.textContent()).toContain('DE-BY');
    const csv = page.locator('[data-figure="referrals-geo"] a.mk-csv');
    expect(await csv.getAttribute('href')).toContain('format=csv');
    await page.screenshot({ path: `${SHOTS}/dashboard.png`, fullPage: true });
    expect(errors).toEqual([]);
  }, 90_000);
});
