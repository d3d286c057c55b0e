import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { signMetaPayload } from '../../../src/channels/meta/signature.js';
import type { ChannelAdapter } from '../../../src/channels/types.js';
import { SendError } from '../../../src/channels/types.js';
import { createWhatsAppCloudAdapter } from '../../../src/channels/whatsapp-cloud/adapter.js';
import { loadConfig } from '../../../src/config.js';
import { silentLogger } from '../../../src/logger.js';
import type { OutboundMessage } from '../../../src/model/index.js';
import { FakeGraphApi } from '../../fakes/graph-api.js';
import {
  contact,
  fixtureBytes,
  postSigned,
  RecordingSink,
  type RunningServer,
  serveRoutes,
} from '../meta/support.js';

const SECRET = 'whatsapp-app-secret';
const WA_ID = '4917612345678';

let graph: FakeGraphApi;
let adapter: ChannelAdapter;
let server: RunningServer;
let sink: RecordingSink;

beforeAll(async () => {
  graph = await FakeGraphApi.start();
  const config = loadConfig({
    META_APP_SECRET: SECRET,
    META_VERIFY_TOKEN: 'verify-me',
    META_GRAPH_API_ROOT: graph.root,
    META_GRAPH_API_VERSION: 'v21.0',
    WHATSAPP_CLOUD_TOKEN: 'wa-test-token',
    WHATSAPP_CLOUD_PHONE_NUMBER_ID: '106540352242922',
    WHATSAPP_NUMBER: '+49 151 23456789',
  });
  const created = createWhatsAppCloudAdapter(config, silentLogger);
  if (!created) throw new Error('adapter not enabled');
  adapter = created;
  server = await serveRoutes(adapter.routes);
});

afterAll(async () => {
  await server.close();
  await graph.close();
});

beforeEach(async () => {
  sink = new RecordingSink();
  await adapter.start(sink);
  graph.calls.length = 0;
});

function post(body: Buffer | string, signature: string | null = signMetaPayload(body, SECRET)) {
  return postSigned(`${server.url}/webhooks/whatsapp`, body, signature);
}

describe('WhatsApp Cloud webhook', () => {
  it('answers the verify handshake with the challenge, 403 on a wrong token', async () => {
    const ok = await fetch(
      `${server.url}/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=verify-me&hub.challenge=8213`,
    );
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('8213');
    const bad = await fetch(
      `${server.url}/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=8213`,
    );
    expect(bad.status).toBe(403);
  });

  it('normalizes a signed text message with the profile name', async () => {
    const response = await post(fixtureBytes('whatsapp-text.json'));
    expect(response.status).toBe(200);
    expect(sink.accepted).toHaveLength(1);
    expect(sink.accepted[0]).toMatchObject({
      channel: 'whatsapp-cloud',
      nativeId: 'wamid.HBgNNDkxNzYxMjM0NTY3OBUCABIYFjNFQjBDMEE4QjI2RjQ5QjY1MUQ2AA==',
      contactNativeId: WA_ID,
      text: 'Hallo, habt ihr entkoffeinierten Kaffee?',
      profile: { displayName: 'Jana Weber', phone: `+${WA_ID}` },
      receivedAt: new Date(1764290000 * 1000),
    });
  });

  it('rejects unsigned (401) and forged (403) bodies without recording anything', async () => {
    const body = fixtureBytes('whatsapp-text.json');
    expect((await post(body, null)).status).toBe(401);
    expect((await post(body, signMetaPayload(body, 'not-the-secret'))).status).toBe(403);
    const tampered = Buffer.from(body.toString('utf8').replace('Hallo', 'Hallu'));
    expect((await post(tampered, signMetaPayload(body, SECRET))).status).toBe(403);
    expect(sink.accepted).toHaveLength(0);
  });

  it('verifies the signature over the raw bytes (Meta escapes non-ASCII; re-serialised JSON would not match)', async () => {
    const raw = Buffer.from(
      fixtureBytes('whatsapp-text.json')
        .toString('utf8')
        .replace(
          'Hallo, habt ihr entkoffeinierten Kaffee?',
          'Gr\\u00fc\\u00dfe, habt ihr R\\u00f6stkaffee? \\u2615',
        ),
    );
    const reserialised = Buffer.from(JSON.stringify(JSON.parse(raw.toString('utf8'))));
    expect(signMetaPayload(reserialised, SECRET)).not.toBe(signMetaPayload(raw, SECRET));
    const response = await post(raw);
    expect(response.status).toBe(200);
    expect(sink.accepted[0]?.text).toBe('Grüße, habt ihr Röstkaffee? ☕');
  });

  it('answers 400 to bodies that are not JSON or not the documented shape', async () => {
    expect((await post('not json')).status).toBe(400);
    const wrong = JSON.stringify({
      object: 'whatsapp_business_account',
      entry: [
        {
          id: '1',
          changes: [
            {
              field: 'messages',
              value: {
                messaging_product: 'whatsapp',
                metadata: { phone_number_id: '1' },
                messages: [{ id: 'x' }],
              },
            },
          ],
        },
      ],
    });
    const response = await post(wrong);
    expect(response.status).toBe(400);
    expect(JSON.stringify(await response.json())).toContain('messages');
    expect((await post(JSON.stringify({ object: 'page', entry: [] }))).status).toBe(400);
    expect(sink.accepted).toHaveLength(0);
  });

  it('accepts other subscribed fields (template status updates) without recording messages', async () => {
    expect((await post(fixtureBytes('whatsapp-template-status-update.json'))).status).toBe(200);
    expect(sink.accepted).toHaveLength(0);
  });

  it('hands a redelivered message to the inbox once, even in parallel', async () => {
    const body = fixtureBytes('whatsapp-text.json');
    const answers = await Promise.all([post(body), post(body)]);
    answers.push(await post(body));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    expect(sink.accepted).toHaveLength(1);
    expect(sink.duplicates).toHaveLength(2);
  });

  it('answers 500 when recording fails, so Meta redelivers', async () => {
    sink.failWith = new Error('database down');
    expect((await post(fixtureBytes('whatsapp-text.json'))).status).toBe(500);
    sink.failWith = null;
    expect((await post(fixtureBytes('whatsapp-text.json'))).status).toBe(200);
    expect(sink.accepted).toHaveLength(1);
  });

  it('turns reply buttons, list replies and template buttons into button payloads', async () => {
    await post(fixtureBytes('whatsapp-interactive.json'));
    await post(fixtureBytes('whatsapp-template-button.json'));
    expect(sink.accepted.map((m) => [m.nativeId, m.buttonPayload, m.text])).toEqual([
      ['wamid.BUTTONREPLY0001', 'newsletter:yes', 'Ja, gerne'],
      ['wamid.LISTREPLY0001', 'faq:shipping', 'Versand'],
      ['wamid.TEMPLATEBUTTON0001', 'events:remind:cupping-2026-12', 'Erinnere mich'],
    ]);
  });

  it('keeps media as references and skips reactions', async () => {
    await post(fixtureBytes('whatsapp-media.json'));
    expect(sink.accepted.map((m) => m.media)).toEqual([
      {
        kind: 'image',
        ref: '1003383421387256',
        mimeType: 'image/jpeg',
        caption: 'Ist diese Bohne noch gut?',
      },
      {
        kind: 'location',
        ref: '52.520008,13.404954',
        caption: 'Bohnenglück Rösterei, Kastanienallee 12, Berlin',
      },
      { kind: 'audio', ref: '2003383421387257', mimeType: 'audio/ogg; codecs=opus' },
    ]);
    expect(sink.accepted[0]?.text).toBe('Ist diese Bohne noch gut?');
  });

  it('carries a click-to-WhatsApp ad referral as startPayload', async () => {
    await post(fixtureBytes('whatsapp-referral.json'));
    expect(sink.accepted[0]).toMatchObject({
      startPayload: '120212345678900123',
      text: 'Hallo! Ich interessiere mich für den Adventskalender.',
    });
  });

  it('hands statuses on as delivery reports with the error of a failed one', async () => {
    await post(fixtureBytes('whatsapp-statuses.json'));
    expect(sink.reports.map((r) => [r.nativeMessageId, r.status])).toEqual([
      ['wamid.OUT0001', 'sent'],
      ['wamid.OUT0001', 'delivered'],
      ['wamid.OUT0001', 'read'],
      ['wamid.OUT0002', 'failed'],
    ]);
    expect(sink.reports[3]?.error).toContain('131047 Re-engagement message');
  });
});

describe('WhatsApp Cloud sending', () => {
  const target = { contact: contact('whatsapp-cloud', WA_ID), conversationId: 'conv-1' };
  const choices = (n: number) =>
    Array.from({ length: n }, (_, i) => ({ label: `Sorte ${i + 1}`, payload: `pick:${i + 1}` }));

  async function sendOne(message: OutboundMessage) {
    const result = await adapter.send(target, message);
    return { result, bodies: graph.whatsappMessages() };
  }

  it('sends text with the bearer token and returns the wamid', async () => {
    const { result, bodies } = await sendOne({ text: 'Danke für deine Nachricht!' });
    expect(result.nativeMessageId).toMatch(/^wamid\.FAKE/);
    expect(bodies).toEqual([
      {
        messaging_product: 'whatsapp',
        recipient_type: 'individual',
        to: WA_ID,
        type: 'text',
        text: { body: 'Danke für deine Nachricht!', preview_url: false },
      },
    ]);
  });

  it('splits text longer than 4096 characters', async () => {
    const long = `${'Kaffee ist gut. '.repeat(400)}Ende.`;
    const { bodies } = await sendOne({ text: long });
    expect(bodies.length).toBe(2);
    for (const body of bodies) expect((body.text as { body: string }).body.length).toBeLessThanOrEqual(4096);
  });

  it('renders up to 3 choices as reply buttons with titles cut to 20', async () => {
    const { bodies } = await sendOne({
      text: 'Newsletter?',
      buttons: [
        { label: 'Ja, gerne', payload: 'yes' },
        { label: 'Nein danke, vielleicht später', payload: 'no' },
      ],
    });
    const interactive = bodies[0]?.interactive as {
      type: string;
      action: { buttons: { reply: { id: string; title: string } }[] };
    };
    expect(interactive.type).toBe('button');
    expect(interactive.action.buttons.map((b) => b.reply.id)).toEqual(['yes', 'no']);
    expect(interactive.action.buttons.every((b) => [...b.reply.title].length <= 20)).toBe(true);
  });

  it('renders 4 to 10 choices as a list with German button and section texts', async () => {
    const { bodies } = await sendOne({ text: 'Welche Sorte?', buttons: choices(10) });
    const interactive = bodies[0]?.interactive as {
      type: string;
      action: { button: string; sections: { title: string; rows: { id: string; title: string }[] }[] };
    };
    expect(interactive.type).toBe('list');
    expect(interactive.action.button).toBe('Auswählen');
    expect(interactive.action.sections[0]?.title).toBe('Optionen');
    expect(interactive.action.sections[0]?.rows).toHaveLength(10);
    expect(interactive.action.sections[0]?.rows[9]).toEqual({ id: 'pick:10', title: 'Sorte 10' });
  });

  it('uses English list texts for English contacts', async () => {
    const english = { contact: contact('whatsapp-cloud', WA_ID, { locale: 'en' }), conversationId: null };
    await adapter.send(english, { text: 'Which one?', buttons: choices(5) });
    const interactive = graph.whatsappMessages()[0]?.interactive as { action: { button: string } };
    expect(interactive.action.button).toBe('Choose');
  });

  it('renders more than 10 choices as numbered text', async () => {
    const { bodies } = await sendOne({ text: 'Welche Sorte?', buttons: choices(12) });
    expect(bodies[0]?.type).toBe('text');
    const text = (bodies[0]!.text as { body: string }).body;
    expect(text).toContain('1) Sorte 1');
    expect(text).toContain('12) Sorte 12');
  });

  it('renders a single link as a cta_url button, mixed links as text lines', async () => {
    const { bodies } = await sendOne({
      text: 'Unser Shop',
      link: { url: 'https://bohnenglueck.example/shop', label: 'Zum Shop' },
    });
    expect(bodies[0]?.interactive).toMatchObject({
      type: 'cta_url',
      action: {
        name: 'cta_url',
        parameters: { display_text: 'Zum Shop', url: 'https://bohnenglueck.example/shop' },
      },
    });
    graph.calls.length = 0;
    const mixed = await sendOne({
      text: 'Was nun?',
      buttons: [
        { label: 'Shop', url: 'https://bohnenglueck.example/shop' },
        { label: 'Hilfe', payload: 'help' },
      ],
    });
    const interactive = mixed.bodies[0]?.interactive as { type: string; body: { text: string } };
    expect(interactive.type).toBe('button');
    expect(interactive.body.text).toContain('Shop: https://bohnenglueck.example/shop');
  });

  it('sends media by link with the text as caption', async () => {
    const { bodies } = await sendOne({
      text: 'Unser Adventskalender',
      media: { kind: 'image', ref: 'https://cdn.example/advent.jpg' },
    });
    expect(bodies).toEqual([
      expect.objectContaining({
        type: 'image',
        image: { link: 'https://cdn.example/advent.jpg', caption: 'Unser Adventskalender' },
      }),
    ]);
  });

  it('sends the template outside the window and falls back to it when Meta says the window closed', async () => {
    const template = { name: 'event_reminder', language: 'de', parameters: ['Cupping', 'Samstag 10 Uhr'] };
    const stale = {
      contact: contact('whatsapp-cloud', WA_ID, { lastInboundAt: new Date(Date.now() - 30 * 3_600_000) }),
      conversationId: null,
    };
    await adapter.send(stale, { text: 'Erinnerung: Cupping am Samstag', template });
    expect(graph.whatsappMessages()).toEqual([
      expect.objectContaining({
        type: 'template',
        template: {
          name: 'event_reminder',
          language: { code: 'de' },
          components: [
            {
              type: 'body',
              parameters: [
                { type: 'text', text: 'Cupping' },
                { type: 'text', text: 'Samstag 10 Uhr' },
              ],
            },
          ],
        },
      }),
    ]);
    graph.calls.length = 0;
    graph.failNext({ status: 400, code: 131047, message: 'Re-engagement message' });
    const result = await adapter.send(target, { text: 'Erinnerung', template });
    expect(graph.whatsappMessages().map((b) => b.type)).toEqual(['text', 'template']);
    expect(result.nativeMessageId).toMatch(/^wamid\./);
  });

  it.each([
    [{ status: 429, code: 130429, retryAfter: '2' }, 'rate-limited', 2000],
    [{ status: 400, code: 131056 }, 'rate-limited', 6000],
    [{ status: 400, code: 4 }, 'rate-limited', 60000],
    [{ status: 400, code: 80007 }, 'rate-limited', 60000],
    [{ status: 400, code: 131047 }, 'window-closed', undefined],
    [{ status: 400, code: 131026 }, 'permanent', undefined],
    [{ status: 400, code: 131051 }, 'permanent', undefined],
    [{ status: 400, code: 100 }, 'permanent', undefined],
    [{ status: 400, code: 131030 }, 'permanent', undefined],
    [{ status: 400, code: 368 }, 'permanent', undefined],
    [{ status: 403, code: 131031 }, 'permanent', undefined],
    [{ status: 500, code: 131000 }, 'transient', undefined],
    [{ status: 503 }, 'transient', undefined],
  ] as const)('maps %o to %s', async (failure, kind, retryAfterMs) => {
    graph.failNext(failure);
    const error = await adapter.send(target, { text: 'Hallo' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SendError);
    expect((error as SendError).kind).toBe(kind);
    expect((error as SendError).retryAfterMs).toBe(retryAfterMs);
  });

  it('marks the pair limit as per chat and throughput limits as channel-wide', async () => {
    graph.failNext({ status: 400, code: 131056 }, { status: 429, code: 130429 });
    const pair = await adapter.send(target, { text: 'a' }).catch((e: unknown) => e);
    const throughput = await adapter.send(target, { text: 'b' }).catch((e: unknown) => e);
    expect([(pair as SendError).scope, (throughput as SendError).scope]).toEqual(['chat', 'channel']);
  });

  it('declares capabilities, pacing and a wa.me deep link', () => {
    expect(adapter.capabilities).toMatchObject({
      buttonStyle: 'inline',
      maxButtons: 10,
      maxButtonLabelLength: 20,
      maxTextLength: 4096,
      customerServiceWindowHours: 24,
    });
    // WhatsApp Cloud's 80 messages per second count the customer's messages too (docs/performance.md).
    expect(adapter.pacing).toEqual({ overallPerSecond: 80, perChatIntervalMs: 1000, countsInbound: true });
    expect(adapter.deepLink?.('REF 7KQ2')).toBe('https://wa.me/4915123456789?text=REF%207KQ2');
  });
});
