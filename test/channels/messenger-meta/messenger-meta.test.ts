import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createMessengerMetaAdapter } from '../../../src/channels/messenger-meta/adapter.js';
import { signMetaPayload } from '../../../src/channels/meta/signature.js';
import { type ChannelAdapter, SendError } from '../../../src/channels/types.js';
import { loadConfig } from '../../../src/config.js';
import { silentLogger } from '../../../src/logger.js';
import { FakeGraphApi } from '../../fakes/graph-api.js';
import {
  contact,
  fixtureBytes,
  postSigned,
  RecordingSink,
  type RunningServer,
  serveRoutes,
} from '../meta/support.js';

const SECRET = 'messenger-app-secret';
const PSID = '6543210987654321';

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
    MESSENGER_PAGE_TOKEN: 'page-test-token',
    MESSENGER_PAGE_NAME: 'bohnenglueck',
  });
  const created = createMessengerMetaAdapter(config, silentLogger);
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

const post = (body: Buffer | string, signature: string | null = signMetaPayload(body, SECRET)) =>
  postSigned(`${server.url}/webhooks/messenger`, body, signature);

describe('Messenger webhook', () => {
  it('answers the verify handshake', async () => {
    const ok = await fetch(
      `${server.url}/webhooks/messenger?hub.mode=subscribe&hub.verify_token=verify-me&hub.challenge=abc`,
    );
    expect([ok.status, await ok.text()]).toEqual([200, 'abc']);
    const bad = await fetch(
      `${server.url}/webhooks/messenger?hub.mode=subscribe&hub.verify_token=x&hub.challenge=abc`,
    );
    expect(bad.status).toBe(403);
  });

  it('normalizes text, quick replies and attachments, skipping echoes', async () => {
    expect((await post(fixtureBytes('messenger-message.json'))).status).toBe(200);
    expect(
      sink.accepted.map((m) => [m.nativeId, m.contactNativeId, m.text, m.buttonPayload, m.media?.kind]),
    ).toEqual([
      [
        'm_AG5Hz2Uq7tuwNEhXfYYKj8mJEM_QPpz5jdCK48PnKAjSdjfipqxqMvK8ma6AC8fplwlqLP_5cgXIbu7I3rBN0P',
        PSID,
        'Wann röstet ihr wieder den Äthiopier?',
        undefined,
        undefined,
      ],
      ['m_QUICKREPLY0001', PSID, 'Ja, gerne', 'newsletter:yes', undefined],
      ['m_IMAGE0001', PSID, undefined, undefined, 'image'],
    ]);
  });

  it('rejects unsigned and forged bodies, and signs over the raw bytes', async () => {
    const body = fixtureBytes('messenger-message.json');
    expect((await post(body, null)).status).toBe(401);
    expect((await post(body, signMetaPayload(body, 'wrong'))).status).toBe(403);
    expect(sink.accepted).toHaveLength(0);
    const escaped = Buffer.from(
      body.toString('utf8').replace('röstet', 'r\\u00f6stet').replace('Äthiopier', '\\u00c4thiopier'),
    );
    const reserialised = JSON.stringify(JSON.parse(escaped.toString('utf8')));
    expect((await post(escaped, signMetaPayload(reserialised, SECRET))).status).toBe(403);
    expect((await post(escaped)).status).toBe(200);
    expect(sink.accepted[0]?.text).toBe('Wann röstet ihr wieder den Äthiopier?');
  });

  it('answers 400 to malformed bodies', async () => {
    expect((await post('{"object":"page","entry":[{"id":"1","messaging":[{"sender":{}}]}]}')).status).toBe(
      400,
    );
    expect((await post('{oops')).status).toBe(400);
  });

  it('records a redelivered event once', async () => {
    const body = fixtureBytes('messenger-referral.json');
    const answers = await Promise.all([post(body), post(body), post(body)]);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    expect(sink.accepted).toHaveLength(1);
  });

  it('turns the Get Started referral and messaging_referrals into start payloads', async () => {
    await post(fixtureBytes('messenger-postback-referral.json'));
    await post(fixtureBytes('messenger-referral.json'));
    expect(sink.accepted.map((m) => ({ s: m.startPayload, start: m.isStart, b: m.buttonPayload }))).toEqual([
      { s: 'jana-7KQ2', start: true, b: undefined },
      { s: undefined, start: undefined, b: 'menu:events' },
      { s: 'advent-2026', start: true, b: undefined },
    ]);
    expect(sink.accepted[2]?.nativeId).toMatch(/^referral:[0-9a-f]{32}$/);
  });

  it('hands deliveries on per mid and as watermarks, reads as watermarks', async () => {
    await post(fixtureBytes('messenger-delivery-read.json'));
    expect(sink.reports).toEqual([
      {
        channel: 'messenger-meta',
        nativeMessageId: 'm_OUT0001',
        status: 'delivered',
        at: new Date(1764290300000),
      },
    ]);
    expect(sink.watermarks.map((w) => [w.status, w.contactNativeId, w.upTo.getTime()])).toEqual([
      ['delivered', PSID, 1764290299000],
      ['read', PSID, 1764290305000],
    ]);
  });
});

describe('Messenger sending', () => {
  const target = { contact: contact('messenger-meta', PSID), conversationId: 'conv-1' };

  it('answers with RESPONSE and quick replies (title ≤ 20)', async () => {
    const result = await adapter.send(target, {
      text: 'Möchtest du den Newsletter?',
      buttons: [
        { label: 'Ja, sehr gerne sogar!!', payload: 'yes' },
        { label: 'Nein', payload: 'no' },
      ],
    });
    expect(result.nativeMessageId).toMatch(/^m_FAKE/);
    const [call] = graph.messengerCalls();
    expect(call).toMatchObject({
      recipient: { id: PSID },
      messaging_type: 'RESPONSE',
      message: { text: 'Möchtest du den Newsletter?' },
    });
    const replies = (call!.message as { quick_replies: { title: string; payload: string }[] }).quick_replies;
    expect(replies.map((r) => r.payload)).toEqual(['yes', 'no']);
    expect(replies.every((r) => [...r.title].length <= 20)).toBe(true);
  });

  it('uses a button template when link buttons are present', async () => {
    await adapter.send(target, {
      text: 'Unser Adventskalender',
      buttons: [
        { label: 'Zum Shop', url: 'https://bohnenglueck.example/advent' },
        { label: 'Mehr Infos', payload: 'info' },
      ],
    });
    expect(graph.messengerCalls()[0]?.message).toEqual({
      attachment: {
        type: 'template',
        payload: {
          template_type: 'button',
          text: 'Unser Adventskalender',
          buttons: [
            { type: 'web_url', url: 'https://bohnenglueck.example/advent', title: 'Zum Shop' },
            { type: 'postback', title: 'Mehr Infos', payload: 'info' },
          ],
        },
      },
    });
  });

  it('renders more than 13 choices as numbered text and splits at 2000', async () => {
    const buttons = Array.from({ length: 14 }, (_, i) => ({ label: `Option ${i + 1}`, payload: `o${i}` }));
    await adapter.send(target, { text: 'x '.repeat(1100), buttons });
    const texts = graph.messengerCalls().map((c) => (c.message as { text: string }).text);
    expect(texts.length).toBe(2);
    expect(texts.every((t) => t.length <= 2000)).toBe(true);
    expect(texts[1]).toContain('14) Option 14');
  });

  it('sends tagged messages outside the window as MESSAGE_TAG and proactive ones as UPDATE', async () => {
    const stale = {
      contact: contact('messenger-meta', PSID, { lastInboundAt: new Date(Date.now() - 48 * 3_600_000) }),
      conversationId: null,
    };
    await adapter.send(stale, {
      text: 'Dein Cupping beginnt morgen um 10 Uhr.',
      tag: 'CONFIRMED_EVENT_UPDATE',
    });
    const hourAgo = {
      contact: contact('messenger-meta', PSID, { lastInboundAt: new Date(Date.now() - 3_600_000) }),
      conversationId: null,
    };
    await adapter.send(hourAgo, { text: 'Neue Röstung ist da.' });
    expect(graph.messengerCalls().map((c) => [c.messaging_type, c.tag])).toEqual([
      ['MESSAGE_TAG', 'CONFIRMED_EVENT_UPDATE'],
      ['UPDATE', undefined],
    ]);
  });

  it('sends media as an attachment by URL and shows typing', async () => {
    await adapter.send(target, { media: { kind: 'image', ref: 'https://cdn.example/bohne.jpg' } });
    await adapter.sendTyping?.(target);
    expect(graph.messengerCalls()).toEqual([
      expect.objectContaining({
        message: {
          attachment: { type: 'image', payload: { url: 'https://cdn.example/bohne.jpg', is_reusable: true } },
        },
      }),
      { recipient: { id: PSID }, sender_action: 'typing_on' },
    ]);
  });

  it.each([
    [{ status: 429, retryAfter: '3' }, 'rate-limited', 3000],
    [{ status: 400, code: 4 }, 'rate-limited', 60000],
    [{ status: 400, code: 613 }, 'rate-limited', 60000],
    [{ status: 400, code: 32 }, 'rate-limited', 60000],
    [{ status: 400, code: 10, subcode: 2018278 }, 'window-closed', undefined],
    [{ status: 400, code: 551 }, 'permanent', undefined],
    [{ status: 400, code: 100, subcode: 2018001 }, 'permanent', undefined],
    [{ status: 500, code: 1 }, 'transient', undefined],
    [{ status: 502 }, 'transient', undefined],
  ] as const)('maps %o to %s', async (failure, kind, retryAfterMs) => {
    graph.failNext(failure);
    const error = await adapter.send(target, { text: 'Hallo' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SendError);
    expect([(error as SendError).kind, (error as SendError).retryAfterMs]).toEqual([kind, retryAfterMs]);
  });

  it('declares capabilities and an m.me deep link', () => {
    expect(adapter.capabilities).toMatchObject({
      buttonStyle: 'quick-replies',
      maxButtons: 13,
      maxTextLength: 2000,
      supportsTypingIndicator: true,
      customerServiceWindowHours: 24,
    });
    expect(adapter.deepLink?.('jana-7KQ2')).toBe('https://m.me/bohnenglueck?ref=jana-7KQ2');
  });
});
