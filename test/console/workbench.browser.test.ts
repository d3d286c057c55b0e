/**
 * The flow workbench in a real headless Chromium, on a copy of the sample flows: a marketer opens a flow and
 * sees its diagram, introduces a mistake and sees it marked at its line, applies the suggested fix, saves,
 * and the running bot answers with the new text; then simulates a conversation and records it as a test
 * that passes in `plausch flows test`. Screenshots go to test-results/workbench/.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flowsTest } from '../../src/cli/flows-commands.js';
import { inbound, waitFor } from '../runtime/helpers.js';
import { CHROMIUM, hasChromium, launchChromium } from '../support/browser.js';
import { createTestDatabase, type TestStoreHandle } from '../support/stores.js';
import { addStaff, type ConsoleInstance, PASSWORD, startConsoleInstance } from './support.js';

if (!hasChromium) console.warn(`workbench browser test skipped: ${CHROMIUM} is missing`);
const SHOTS = 'test-results/workbench';

describe.skipIf(!hasChromium)('the flow workbench in a real browser', () => {
  let handle: TestStoreHandle;
  let instance: ConsoleInstance;
  let browser: Browser;
  let page: Page;
  let flowsDir: string;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    flowsDir = join(mkdtempSync(join(tmpdir(), 'plausch-workbench-e2e-')), 'flows');
    cpSync('flows', flowsDir, { recursive: true });
    handle = await createTestDatabase('sqlite');
    const store = await handle.open();
    instance = await startConsoleInstance(store, { flowsDir, env: { WORKBENCH_VERSIONS: 'store' } });
    await addStaff(store, 'mia@bohnenglueck.de', 'marketer', null, 'Mia Marketing');
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1500, height: 1000 }, locale: 'de-DE' });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await instance?.stop();
    await handle?.dispose();
    rmSync(flowsDir, { recursive: true, force: true });
  });

  it('opens a flow, marks a mistake, applies the fix, saves live, simulates and records a test', async () => {
    const cspViolations: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
    });
    await page.goto(`${instance.baseUrl}/console`);
    await page.getByLabel('E-Mail-Adresse').fill('mia@bohnenglueck.de');
    await page.getByLabel('Passwort').fill(PASSWORD);
    await page.getByRole('button', { name: 'Anmelden' }).click();
    await page.getByRole('button', { name: 'Flows', exact: true }).click();
    await page.locator('[data-file="welcome.yaml"]').click();

    // The diagram: every step of the flow, laid out.
    const node = page.locator('[data-testid="wb-diagram"] [data-step="first_hello"]');
    await node.waitFor({ timeout: 20_000 });
    expect(await page.locator('[data-testid="wb-diagram"] .wb-node.step').count()).toBeGreaterThan(4);
    // CodeMirror's own styles arrived despite the CSP (style-src 'self'): the editor is laid out as a flex column.
    const display = await page.locator('.cm-editor').evaluate((el) => getComputedStyle(el).display);
    expect(display).toBe('flex');
    await page.screenshot({ path: `${SHOTS}/1-diagram.png` });

    // Clicking the step selects its lines; typing replaces them with a changed text and a misspelt target.
    await node.click();
    const original = readFileSync(join(flowsDir, 'welcome.yaml'), 'utf8');
    const stepText = /( {2}first_hello:\n(?: {4}.*\n)+)/.exec(original)?.[1] as string;
    const edited = stepText
      .replace('Schön, dass du bei der Kaffeerösterei', 'Herzlich willkommen in der Kaffeerösterei')
      .replace('next: menu', 'next: mneu')
      .replace(/\n$/, '');
    await page.keyboard.insertText(edited);
    const mark = page.locator('.cm-lintRange-error');
    await mark.first().waitFor({ timeout: 15_000 });
    await expect
      .poll(() => page.locator('[data-testid="wb-problems"]').textContent(), { timeout: 10_000 })
      .toContain('did you mean "menu"');
    const problemLine = original.split('\n').findIndex((line) => line.startsWith('  first_hello:')) + 6;
    expect(await page.locator('[data-testid="wb-problems"]').textContent()).toContain(`${problemLine}:`);
    expect(await page.locator('[data-testid="wb-status"]').textContent()).toMatch(/Fehler/);
    await page.screenshot({ path: `${SHOTS}/2-error-marked.png` });

    // The one-click fix from the lint tooltip.
    await mark.first().hover();
    await page.locator('.cm-diagnosticAction').first().click();
    await expect
      .poll(() => page.locator('[data-testid="wb-status"]').textContent(), { timeout: 15_000 })
      .toBe('gültig');
    await page.screenshot({ path: `${SHOTS}/3-fixed.png` });

    // Save: live at once.
    await page.locator('[data-testid="wb-save"]').click();
    await expect
      .poll(() => readFileSync(join(flowsDir, 'welcome.yaml'), 'utf8'), { timeout: 10_000 })
      .toContain('Herzlich willkommen in der Kaffeerösterei');
    expect(readFileSync(join(flowsDir, 'welcome.yaml'), 'utf8')).toContain('    next: menu\n');
    // The save answers once the new set is live; then the button has nothing left to save.
    await expect
      .poll(() => page.locator('[data-testid="wb-save"]').isDisabled(), { timeout: 10_000 })
      .toBe(true);
    const customer = 'tg-9001';
    await instance.plausch.runtime.accept(inbound(customer, 'Hallo', { profile: { firstName: 'Clara' } }));
    await instance.plausch.runtime.whenIdle();
    await waitFor(
      () =>
        instance.adapter
          .textsTo(customer)
          .some((text) => text?.includes('Herzlich willkommen in der Kaffeerösterei')),
      'the running bot greeting with the saved text',
    ).catch((error: Error) => {
      const sent = instance.adapter.sends.map((send) => [send.channelContactId, send.message.text]);
      throw new Error(`${error.message}; sent: ${JSON.stringify(sent)}`);
    });
    await page.screenshot({ path: `${SHOTS}/4-saved.png` });

    // The simulator, on WhatsApp Web with its numbered options.
    await page.locator('.wb-sim-controls select').first().selectOption('whatsapp-web');
    await page.locator('[data-testid="wb-sim-start"]').click();
    const chat = page.locator('[data-testid="wb-chat"]');
    await expect.poll(() => chat.textContent(), { timeout: 20_000 }).toContain('Herzlich willkommen');
    expect(await chat.textContent()).toMatch(/1\) /);
    await page.locator('.wb-sim-input input').fill('1');
    await page.locator('.wb-sim-input button').click();
    await expect
      .poll(() => page.locator('[data-testid="wb-sim-step"]').textContent(), { timeout: 15_000 })
      .not.toBe('welcome.menu');
    await page.screenshot({ path: `${SHOTS}/5-simulator.png` });
    expect(instance.adapter.textsTo(customer).length).toBeGreaterThan(0);

    await page.locator('.wb-record input').fill('Begrüßung aus dem Simulator');
    await page.locator('[data-testid="wb-record"]').click();
    const testFile = join(flowsDir, 'tests', 'begrussung-aus-dem-simulator.test.yaml');
    await expect.poll(() => existsSync(testFile), { timeout: 10_000 }).toBe(true);
    await page.screenshot({ path: `${SHOTS}/6-recorded.png` });
    const output: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string) => {
      output.push(String(chunk));
      return true;
    }) as typeof process.stdout.write;
    let code: number;
    try {
      code = await flowsTest(flowsDir, 'Begrüßung aus dem Simulator');
    } finally {
      process.stdout.write = write;
    }
    expect(output.join(''), output.join('')).toContain('✓ Begrüßung aus dem Simulator');
    expect(code).toBe(0);
    expect(cspViolations).toEqual([]);
  }, 180_000);
});
