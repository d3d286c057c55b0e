/**
 * The flow workbench in a real headless Chromium against an instance whose customers write through the fake
 * Telegram Bot API, on a copy of the sample flows: the diagram fits its pane, follows a jump into another
 * flow and back, and brings the step with an error into view; the preview shows both languages including
 * the texts actions send; the tests tab runs the flow's tests against the draft and shows a failing
 * transcript; the knowledge-base tab turns an unanswered question into a wording in two clicks, the customer
 * asking it again gets the answer, and faq eval runs. Then the marketer changes a greeting, saves, the
 * Telegram customer reads the new text, the simulator shows it in German and English with the diagram
 * following along, and a rollback brings the old text back to the next customer. Screenshots go to
 * test-results/workbench-telegram/.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createPlausch, type Plausch } from '../../src/app/plausch.js';
import { loadConfig } from '../../src/config.js';
import { StoreUnansweredQuestionLog } from '../../src/features/faq/unanswered-store.js';
import { silentLogger } from '../../src/logger.js';
import { FakeTelegramBotApi } from '../fakes/telegram-bot-api.js';
import { CHROMIUM, hasChromium, launchChromium } from '../support/browser.js';
import { createTestDatabase, type TestStoreHandle } from '../support/stores.js';
import { TelegramCustomer } from '../support/telegram-customer.js';
import { addStaff, officeHoursClock, PASSWORD } from './support.js';

if (!hasChromium) console.warn(`workbench Telegram browser test skipped: ${CHROMIUM} is missing`);
const SHOTS = 'test-results/workbench-telegram';
const UNANSWERED = 'Bringt der Bote meine Bohnen auch samstags vorbei';

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', () => resolve()));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** Whether `inner`'s box lies inside `outer`'s (what the marketer can see without scrolling). */
async function inside(inner: Locator, outer: Locator): Promise<boolean> {
  const [a, b] = await Promise.all([inner.boundingBox(), outer.boundingBox()]);
  if (!a || !b) return false;
  return (
    a.x >= b.x - 1 &&
    a.y >= b.y - 1 &&
    a.x + a.width <= b.x + b.width + 1 &&
    a.y + a.height <= b.y + b.height + 1
  );
}

describe.skipIf(!hasChromium)('the flow workbench with customers on the fake Telegram server', () => {
  let handle: TestStoreHandle;
  let plausch: Plausch;
  let server: Server;
  let fake: FakeTelegramBotApi;
  let browser: Browser;
  let page: Page;
  let flowsDir: string;
  const diagram = () => page.locator('[data-testid="wb-diagram"]');
  const scroller = () => page.locator('[data-testid="wb-diagram-scroll"]');
  const status = () => page.locator('[data-testid="wb-status"]');

  async function openFile(path: string) {
    await page.locator(`[data-file="${path}"]`).click();
    await expect.poll(() => page.locator('[data-testid="wb-path"]').textContent()).toBe(path);
  }

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    flowsDir = join(mkdtempSync(join(tmpdir(), 'plausch-workbench-tg-')), 'flows');
    cpSync('flows', flowsDir, { recursive: true });
    fake = await FakeTelegramBotApi.start();
    handle = await createTestDatabase('sqlite');
    const store = await handle.open();
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    const config = loadConfig({
      NODE_ENV: 'test',
      FLOWS_DIR: flowsDir,
      DATABASE_URL: '',
      WEBCHAT_ENABLED: 'false',
      LOG_LEVEL: 'silent',
      PUBLIC_URL: baseUrl,
      TELEGRAM_BOT_TOKEN: '123456:TEST-token',
      TELEGRAM_API_ROOT: fake.apiRoot,
      TELEGRAM_BOT_USERNAME: 'bohnenglueck_bot',
      WORKBENCH_VERSIONS: 'store',
      INSTANCE_ID: `workbench-tg-${Math.random().toString(36).slice(2)}`,
    });
    plausch = await createPlausch({ config, logger: silentLogger, store, now: officeHoursClock() });
    await plausch.start();
    server = await new Promise((resolve) => {
      const listening = plausch.http.listen(port, '127.0.0.1', () => resolve(listening));
    });
    await addStaff(store, 'mia@bohnenglueck.de', 'marketer', null, 'Mia Marketing');
    // A question the knowledge base could not answer, as the FAQ feature logs it.
    await new StoreUnansweredQuestionLog(store).record({
      text: UNANSWERED,
      locale: 'de',
      channel: 'telegram',
      contactId: 'c-unanswered',
      bestScore: 0.1,
      at: new Date(),
    });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1500, height: 1000 }, locale: 'de-DE' });
    await page.goto(`${baseUrl}/console`);
    await page.getByLabel('E-Mail-Adresse').fill('mia@bohnenglueck.de');
    await page.getByLabel('Passwort').fill(PASSWORD);
    await page.getByRole('button', { name: 'Anmelden' }).click();
    await page.getByRole('button', { name: 'Flows', exact: true }).click();
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await plausch?.stop();
    await fake?.close();
    await handle?.dispose();
    rmSync(flowsDir, { recursive: true, force: true });
  });

  it('fits the diagram, follows a jump into another flow and back, and brings the step with an error into view', async () => {
    await openFile('welcome.yaml');
    await diagram().locator('[data-step="menu"]').waitFor({ timeout: 20_000 });
    // The menu fans out into five flows: wider than the pane at full size, so fitting shrinks it to the pane.
    const svg = diagram().locator('svg.wb-diagram');
    await expect.poll(async () => Number(await svg.getAttribute('data-scale'))).toBeLessThan(1);
    const svgBox = await svg.boundingBox();
    const room = await scroller().evaluate((el) => ({ width: el.clientWidth, height: el.clientHeight }));
    expect(svgBox!.width).toBeLessThanOrEqual(room.width);
    await page.screenshot({ path: `${SHOTS}/1-diagram-fitted.png` });

    // A click on the jump into the events flow opens that flow; the trail leads back to the jump.
    const jump = diagram().locator('[data-target="events"]');
    await jump.click();
    await expect.poll(() => page.locator('[data-testid="wb-path"]').textContent()).toBe('events.yaml');
    await diagram().locator('[data-step="list"]').waitFor({ timeout: 15_000 });
    await expect.poll(() => diagram().locator('.wb-node.selected').count()).toBe(1);
    await page.screenshot({ path: `${SHOTS}/2-followed-into-events.png` });
    await page.locator('[data-testid="wb-back"]').click();
    await expect.poll(() => page.locator('[data-testid="wb-path"]').textContent()).toBe('welcome.yaml');
    await expect
      .poll(() => diagram().locator('.wb-node.selected').getAttribute('data-target'), { timeout: 15_000 })
      .toBe('events');

    // A misspelt flow in the menu: the menu step is marked; zoomed in and scrolled away, a click on the
    // problem brings it back into view.
    const original = readFileSync(join(flowsDir, 'welcome.yaml'), 'utf8');
    const menuStep = /( {2}menu:\n(?: {4}.*\n)+)/.exec(original)?.[1] as string;
    await diagram().locator('[data-step="menu"]').click();
    await page.keyboard.insertText(
      menuStep.replace('goto_flow: handoff', 'goto_flow: handof').replace(/\n$/, ''),
    );
    await expect.poll(() => status().textContent(), { timeout: 15_000 }).toMatch(/Fehler/);
    const menu = diagram().locator('.wb-node.has-error[data-step="menu"]');
    await menu.waitFor({ timeout: 15_000 });
    for (let i = 0; i < 4; i += 1) await page.getByRole('button', { name: 'Vergrößern' }).click();
    await expect.poll(async () => Number(await svg.getAttribute('data-scale'))).toBeGreaterThan(1);
    // Scroll to the corner farthest from the menu step.
    await scroller().evaluate((el) => {
      const node = el.querySelector('.wb-node.has-error[data-step="menu"]') as Element;
      const nodeBox = node.getBoundingClientRect();
      const box = el.getBoundingClientRect();
      const x = nodeBox.left - box.left + el.scrollLeft;
      const y = nodeBox.top - box.top + el.scrollTop;
      el.scrollTo({
        left: x > el.scrollWidth / 2 ? 0 : el.scrollWidth,
        top: y > el.scrollHeight / 2 ? 0 : el.scrollHeight,
      });
    });
    expect(await inside(menu, scroller())).toBe(false);
    await page.locator('[data-testid="wb-problems"] li.error button').first().click();
    await expect.poll(() => inside(menu, scroller()), { timeout: 10_000 }).toBe(true);
    await page.screenshot({ path: `${SHOTS}/3-error-step-in-view.png` });
    await page.locator('[data-testid="wb-fit"]').click();
    // Nothing was saved: the file on disk is untouched.
    expect(readFileSync(join(flowsDir, 'welcome.yaml'), 'utf8')).toBe(original);
  }, 120_000);

  it('previews both languages with action texts, runs the flow tests against the draft, and turns an unanswered question into a wording', async () => {
    // Preview of a step with text, in both locales.
    await openFile('welcome.yaml');
    await diagram().locator('[data-step="first_hello"]').click();
    await page.getByRole('button', { name: 'Vorschau', exact: true }).click();
    const preview = page.locator('[data-testid="wb-preview"]');
    await expect
      .poll(() => preview.textContent(), { timeout: 15_000 })
      .toContain('Schön, dass du bei der Kaffeerösterei');
    expect(await preview.textContent()).toContain('Lovely to have you at Kaffeerösterei');
    expect(await preview.locator('h3').allTextContents()).toEqual(['de', 'en']);

    // An action's own text: the events list shows the events from events/*.yaml.
    await openFile('events.yaml');
    await diagram().locator('[data-step="list"]').click();
    await expect
      .poll(() => preview.textContent(), { timeout: 15_000 })
      .toContain('Verkostungsabend „Äthiopien & Kenia“');
    expect(await preview.textContent()).toContain('Tasting evening “Ethiopia & Kenya”');
    await page.screenshot({ path: `${SHOTS}/4-preview-action-texts.png` });

    // Tests of the flow against the draft: the saved flow passes, a draft that changes the greeting fails.
    await openFile('welcome.yaml');
    await page.getByRole('button', { name: 'Tests', exact: true }).click();
    const run = page.getByRole('button', { name: 'Tests von welcome ausführen' });
    const results = page.locator('.wb-tests li');
    await run.click();
    await expect.poll(() => results.count(), { timeout: 30_000 }).toBeGreaterThan(2);
    expect(await page.locator('.wb-tests li.failed').count()).toBe(0);
    await diagram().locator('[data-step="first_hello"]').click();
    const original = readFileSync(join(flowsDir, 'welcome.yaml'), 'utf8');
    const step = /( {2}first_hello:\n(?: {4}.*\n)+)/.exec(original)?.[1] as string;
    await page.keyboard.insertText(
      step.replace('Schön, dass du bei der', 'Toll, dass du bei der').replace(/\n$/, ''),
    );
    await expect.poll(() => status().textContent(), { timeout: 15_000 }).toBe('gültig');
    await run.click();
    const failed = page.locator('.wb-tests li.failed');
    await expect.poll(() => failed.count(), { timeout: 30_000 }).toBeGreaterThan(0);
    expect(await failed.first().locator('pre').textContent()).toContain('Toll, dass du bei der');
    await page.screenshot({ path: `${SHOTS}/5-tests-failing-transcript.png` });

    // The knowledge base: the unanswered question becomes a wording of the delivery-time entry in two clicks.
    await openFile('faq/shop.yaml');
    await page.getByRole('button', { name: 'Wissensbasis', exact: true }).click();
    await page.getByRole('button', { name: new RegExp(UNANSWERED) }).click();
    await page.locator('.wb-faq p button', { hasText: 'shipping-time' }).click();
    await expect
      .poll(() => readFileSync(join(flowsDir, 'faq/shop.yaml'), 'utf8'), { timeout: 10_000 })
      .toContain(UNANSWERED);
    await page.screenshot({ path: `${SHOTS}/6-faq-paraphrase.png` });
    // Live: a Telegram customer asking it now gets that entry's answer.
    const entries = (
      parse(readFileSync(join(flowsDir, 'faq/shop.yaml'), 'utf8')) as {
        entries: Array<{ id: string; answer: { de: string } | string }>;
      }
    ).entries;
    const answer = entries.find((entry) => entry.id === 'shipping-time')?.answer;
    const answerText = typeof answer === 'string' ? answer : (answer?.de ?? '');
    const asker = new TelegramCustomer(fake, 8101, { first_name: 'Jonas', language_code: 'de' });
    asker.say(`${UNANSWERED}?`);
    expect(await asker.replyText({ timeoutMs: 20_000 })).toContain(answerText.trim().slice(0, 40));

    await page.getByRole('button', { name: 'faq eval ausführen' }).click();
    await expect.poll(() => page.locator('.wb-faq pre').count(), { timeout: 60_000 }).toBe(1);
    expect((await page.locator('.wb-faq pre').textContent())?.trim().length).toBeGreaterThan(0);
    await page.screenshot({ path: `${SHOTS}/7-faq-eval.png` });
  }, 180_000);

  it('saves a changed greeting that the Telegram customer reads, simulates it in German and English, and rolls it back', async () => {
    await openFile('welcome.yaml');
    const original = readFileSync(join(flowsDir, 'welcome.yaml'), 'utf8');
    const step = /( {2}first_hello:\n(?: {4}.*\n)+)/.exec(original)?.[1] as string;
    await diagram().locator('[data-step="first_hello"]').click();
    await page.keyboard.insertText(
      step
        .replace('Schön, dass du bei der Kaffeerösterei', 'Herzlich willkommen in der Kaffeerösterei')
        .replace('Lovely to have you at Kaffeerösterei', 'A warm welcome to Kaffeerösterei')
        .replace(/\n$/, ''),
    );
    await expect.poll(() => status().textContent(), { timeout: 15_000 }).toBe('gültig');
    await page.locator('[data-testid="wb-save"]').click();
    await expect
      .poll(() => page.locator('[data-testid="wb-save"]').isDisabled(), { timeout: 15_000 })
      .toBe(true);
    expect(readFileSync(join(flowsDir, 'welcome.yaml'), 'utf8')).toContain(
      'Herzlich willkommen in der Kaffeerösterei',
    );

    // The customer on Telegram.
    const clara = new TelegramCustomer(fake, 8201, { first_name: 'Clara', language_code: 'de' });
    clara.say('/start');
    expect(await clara.replyText({ atLeast: 2, timeoutMs: 20_000 })).toContain(
      'Hallo Clara! ☕ Herzlich willkommen in der Kaffeerösterei',
    );
    await page.screenshot({ path: `${SHOTS}/8-saved.png` });

    // The simulator in German, then English; the diagram follows the conversation to the menu.
    await page.getByRole('button', { name: 'Ausprobieren', exact: true }).click();
    const [channelSelect, localeSelect] = [
      page.locator('.wb-sim-controls select').nth(0),
      page.locator('.wb-sim-controls select').nth(1),
    ];
    await channelSelect.selectOption('telegram');
    const chat = page.locator('[data-testid="wb-chat"]');
    await localeSelect.selectOption('de');
    await page.locator('[data-testid="wb-sim-start"]').click();
    await expect
      .poll(() => chat.textContent(), { timeout: 20_000 })
      .toContain('Herzlich willkommen in der Kaffeerösterei');
    await expect.poll(() => page.locator('[data-testid="wb-sim-step"]').textContent()).toBe('welcome.menu');
    expect(await diagram().locator('.wb-node.current').getAttribute('data-step')).toBe('menu');
    await page.screenshot({ path: `${SHOTS}/9-simulator-de.png` });
    await localeSelect.selectOption('en');
    await page.locator('[data-testid="wb-sim-start"]').click();
    await expect
      .poll(() => chat.textContent(), { timeout: 20_000 })
      .toContain('A warm welcome to Kaffeerösterei');
    expect(await chat.textContent()).not.toContain('Herzlich willkommen');
    // Into another flow: the jump it took is highlighted and the note says where the conversation is.
    await chat.getByRole('button', { name: 'Events', exact: true }).click();
    await expect
      .poll(() => page.locator('[data-testid="wb-sim-step"]').textContent(), { timeout: 15_000 })
      .toMatch(/^events\./);
    await expect.poll(() => diagram().locator('.wb-node.current').getAttribute('data-target')).toBe('events');
    await page.screenshot({ path: `${SHOTS}/10-simulator-en.png` });

    // Roll back to the version before the workbench: the next customer reads the old greeting.
    await page.getByRole('button', { name: 'Versionen', exact: true }).click();
    const versions = page.locator('[data-testid="wb-versions"] li');
    await expect.poll(() => versions.count()).toBe(2);
    await versions.nth(1).getByRole('button', { name: 'Zurückholen' }).click();
    await expect
      .poll(() => readFileSync(join(flowsDir, 'welcome.yaml'), 'utf8'), { timeout: 15_000 })
      .toBe(original);
    await expect.poll(() => versions.count(), { timeout: 10_000 }).toBe(3);
    const ben = new TelegramCustomer(fake, 8202, { first_name: 'Ben', language_code: 'de' });
    ben.say('/start');
    const greeting = await ben.replyText({ atLeast: 2, timeoutMs: 20_000 });
    expect(greeting).toContain('Hallo Ben! ☕ Schön, dass du bei der Kaffeerösterei');
    expect(greeting).not.toContain('Herzlich willkommen');
    await page.screenshot({ path: `${SHOTS}/11-rolled-back.png` });
  }, 180_000);
});
