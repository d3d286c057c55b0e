/**
 * The widget in a real browser (Debian's chromium through playwright-core): open the bubble, send a message,
 * see the reply and its chips, press a chip, reload and keep the transcript. Skipped without chromium.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InboundSink } from '../../../src/channels/types.js';
import { createWebChatAdapter, type WebChatAdapter } from '../../../src/channels/webchat/index.js';
import { loadConfig } from '../../../src/config.js';
import { silentLogger } from '../../../src/logger.js';
import type { InboundMessage } from '../../../src/model/index.js';
import { hasChromium, launchChromium } from '../../support/browser.js';
import { createTestDatabase, type TestStoreHandle } from '../../support/stores.js';
import { type RouteServer, serveRoutes } from '../telegram/recording-sink.js';

describe.skipIf(!hasChromium)('web chat widget in a browser', () => {
  let handle: TestStoreHandle;
  let adapter: WebChatAdapter;
  let server: RouteServer;
  const received: InboundMessage[] = [];

  beforeAll(async () => {
    handle = await createTestDatabase('sqlite');
    const store = await handle.open();
    adapter = createWebChatAdapter(loadConfig({}), silentLogger, { store, pollIntervalMs: 200 });
    // A tiny bot: answers every message, offering two choices.
    const sink: InboundSink = {
      async accept(message) {
        received.push(message);
        if (message.isStart) return 'accepted';
        const target = {
          contact: {
            id: 'c',
            channel: 'webchat' as const,
            channelContactId: message.contactNativeId,
            displayName: null,
            firstName: null,
            lastName: null,
            username: null,
            phone: null,
            locale: 'de',
            tags: [],
            attributes: {},
            replyAddress: message.replyAddress ?? null,
            createdAt: new Date(),
            lastInboundAt: null,
          },
          conversationId: null,
        };
        const reply = message.buttonPayload
          ? `Gewählt: ${message.buttonPayload}`
          : `Du schriebst: ${message.text}`;
        setTimeout(() => {
          void adapter.send(target, {
            text: reply,
            buttons: [
              { label: 'Espresso', payload: 'espresso' },
              { label: 'Filter', payload: 'filter' },
            ],
          });
        }, 20);
        return 'accepted';
      },
      async acceptDeliveryReport() {},
    };
    await adapter.start(sink);
    server = await serveRoutes(adapter.routes);
  });

  afterAll(async () => {
    await adapter?.stop();
    await server?.close();
    await handle?.dispose();
  });

  it('chats, offers chips, and keeps the transcript across a reload', async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ locale: 'de-DE' });
      await page.goto(`${server.url}/`);
      const bubble = page.getByRole('button', { name: 'Chat öffnen' });
      await bubble.click();
      await expect.poll(() => received.some((m) => m.isStart)).toBe(true);

      const input = page.getByRole('textbox', { name: 'Deine Nachricht' });
      const focused = () =>
        page.evaluate(
          () => document.querySelector('[data-plausch-widget]')?.shadowRoot?.activeElement?.className ?? null,
        );
      // Opening moves focus into the message field.
      expect(
        await page.evaluate(
          () => document.querySelector('[data-plausch-widget]')?.shadowRoot?.activeElement?.tagName,
        ),
      ).toBe('TEXTAREA');
      await input.fill('Hallo Bohnenglück');
      await input.press('Enter');
      const log = page.getByRole('log');
      await log.getByText('Du schriebst: Hallo Bohnenglück').waitFor();

      await page
        .getByRole('group', { name: 'Antwortmöglichkeiten' })
        .getByRole('button', { name: 'Filter' })
        .click();
      await log.getByText('Gewählt: filter').waitFor();
      expect(received.find((m) => m.buttonPayload === 'filter')?.text).toBe('Filter');

      await page.reload();
      await page.getByRole('log').getByText('Gewählt: filter').waitFor();
      // Replayed events are not shown twice after the reload.
      expect(await page.getByRole('log').getByText('Gewählt: filter').count()).toBe(1);

      await page.getByRole('textbox', { name: 'Deine Nachricht' }).focus();
      await page.keyboard.press('Escape');
      await expect.poll(() => page.getByRole('button', { name: 'Chat öffnen' }).isVisible()).toBe(true);
      // Closing returns focus to the bubble and hides the dialog.
      expect(await focused()).toBe('bubble');
      expect(await page.getByRole('dialog').count()).toBe(0);
    } finally {
      await browser.close();
    }
  }, 60_000);
});
