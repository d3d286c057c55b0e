import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createBotFrameworkAdapter } from '../../../src/channels/messenger-botframework/adapter.js';
import { toBotFrameworkSendError } from '../../../src/channels/messenger-botframework/errors.js';
import { type ChannelAdapter, SendError } from '../../../src/channels/types.js';
import { loadConfig } from '../../../src/config.js';
import { silentLogger } from '../../../src/logger.js';
import { FakeBotFrameworkConnector } from '../../fakes/botframework-connector.js';
import { contact, fixtureBytes, RecordingSink, type RunningServer, serveRoutes } from '../meta/support.js';

const PSID = '6543210987654321';

let connector: FakeBotFrameworkConnector;
let adapter: ChannelAdapter;
let server: RunningServer;
let sink: RecordingSink;

beforeAll(async () => {
  connector = await FakeBotFrameworkConnector.start();
  const created = createBotFrameworkAdapter(
    // The fake connector listens on 127.0.0.1: allowed by the documented test/Emulator allowance only.
    loadConfig({
      BOTFRAMEWORK_ENABLED: 'true',
      MICROSOFT_APP_ID: '',
      BOTFRAMEWORK_ALLOWED_SERVICE_URLS: new URL(connector.serviceUrl).origin,
    }),
    silentLogger,
  );
  if (!created) throw new Error('adapter not enabled');
  adapter = created;
  server = await serveRoutes(adapter.routes);
});

afterAll(async () => {
  await server.close();
  await connector.close();
});

beforeEach(async () => {
  sink = new RecordingSink();
  await adapter.start(sink);
  connector.activities.length = 0;
});

/** A fixture activity with `serviceUrl` pointing at the fake connector. */
function activity(name: string, changes: Record<string, unknown> = {}): Record<string, unknown> {
  const parsed = JSON.parse(fixtureBytes(name).toString('utf8')) as Record<string, unknown>;
  return { ...parsed, serviceUrl: connector.serviceUrl, ...changes };
}

function postActivity(body: unknown, url = server.url, headers: Record<string, string> = {}) {
  return fetch(`${url}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

describe('Bot Framework inbound', () => {
  it('normalizes a Facebook quick reply and stores the conversation reference', async () => {
    const response = await postActivity(activity('botframework-facebook-quick-reply.json'));
    expect(response.status).toBe(200);
    expect(sink.accepted).toHaveLength(1);
    const message = sink.accepted[0];
    expect(message).toMatchObject({
      channel: 'messenger-botframework',
      nativeId: 'facebook:fb-activity-0001',
      contactNativeId: PSID,
      text: 'Ja, gerne',
      buttonPayload: 'newsletter:yes',
      profile: { displayName: 'Jana Weber' },
    });
    expect(message?.replyAddress).toMatchObject({
      channelId: 'facebook',
      serviceUrl: connector.serviceUrl,
      conversation: { id: `${PSID}-110198765432109` },
      user: { id: PSID },
    });
  });

  it('turns the Get Started postback referral into a start payload', async () => {
    await postActivity(activity('botframework-facebook-get-started.json'));
    expect(sink.accepted[0]).toMatchObject({ isStart: true, startPayload: 'jana-7KQ2' });
    expect(sink.accepted[0]?.buttonPayload).toBeUndefined();
    expect(sink.accepted[0]?.text).toBeUndefined();
  });

  it('treats a person joining (conversationUpdate) as a start, but not the bot joining', async () => {
    const base = {
      type: 'conversationUpdate',
      channelId: 'emulator',
      serviceUrl: connector.serviceUrl,
      from: { id: 'user-1' },
      recipient: { id: 'bot-1' },
      conversation: { id: 'conv-9' },
    };
    await postActivity({ ...base, id: 'cu-1', membersAdded: [{ id: 'bot-1' }] });
    await postActivity({ ...base, id: 'cu-2', membersAdded: [{ id: 'user-1' }] });
    expect(sink.accepted.map((m) => [m.nativeId, m.isStart])).toEqual([['emulator:cu-2', true]]);
  });

  it('takes card submits from activity.value', async () => {
    await postActivity({
      type: 'message',
      id: 'v-1',
      channelId: 'webchat',
      serviceUrl: connector.serviceUrl,
      from: { id: 'u' },
      conversation: { id: 'c' },
      value: { payload: 'events:list' },
    });
    expect(sink.accepted[0]?.buttonPayload).toBe('events:list');
  });

  it('records a redelivered activity once and answers 500 when recording fails', async () => {
    const body = activity('botframework-facebook-quick-reply.json');
    const answers = await Promise.all([postActivity(body), postActivity(body), postActivity(body)]);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    expect(sink.accepted).toHaveLength(1);
    sink.failWith = new Error('database down');
    expect((await postActivity(activity('botframework-facebook-get-started.json'))).status).toBe(500);
  });

  it('answers 400 to something that is not an activity', async () => {
    expect((await postActivity({ hello: 'world' })).status).toBe(400);
    expect(sink.accepted).toHaveLength(0);
  });

  it('rejects an unsigned request with 401 when an app id is configured', async () => {
    const secured = createBotFrameworkAdapter(
      loadConfig({
        BOTFRAMEWORK_ENABLED: 'true',
        MICROSOFT_APP_ID: '00000000-1111-2222-3333-444444444444',
        MICROSOFT_APP_PASSWORD: 'pw',
      }),
      silentLogger,
    );
    if (!secured) throw new Error('adapter not enabled');
    const securedSink = new RecordingSink();
    await secured.start(securedSink);
    const securedServer = await serveRoutes(secured.routes);
    try {
      const response = await postActivity(
        activity('botframework-facebook-quick-reply.json'),
        securedServer.url,
      );
      expect(response.status).toBe(401);
      expect(securedSink.accepted).toHaveLength(0);
    } finally {
      await securedServer.close();
    }
  });
});

describe('Bot Framework sending', () => {
  async function facebookTarget() {
    await postActivity(activity('botframework-facebook-quick-reply.json'));
    const replyAddress = sink.accepted[0]?.replyAddress ?? null;
    connector.activities.length = 0;
    return { contact: contact('messenger-botframework', PSID, { replyAddress }), conversationId: 'conv-1' };
  }

  it('sends proactively with suggested actions and Facebook quick replies in channelData', async () => {
    const target = await facebookTarget();
    const result = await adapter.send(target, {
      text: 'Newsletter?',
      buttons: [
        { label: 'Ja, sehr gerne sogar!!', payload: 'newsletter:yes' },
        { label: 'Nein', payload: 'newsletter:no' },
      ],
    });
    expect(result.nativeMessageId).toMatch(/^activity-/);
    expect(connector.activities).toHaveLength(1);
    const sent = connector.activities[0];
    expect(sent?.conversationId).toBe(`${PSID}-110198765432109`);
    expect(sent?.activity).toMatchObject({
      type: 'message',
      text: 'Newsletter?',
      recipient: { id: PSID },
      suggestedActions: {
        actions: [
          { type: 'postBack', value: 'newsletter:yes' },
          { type: 'postBack', title: 'Nein', value: 'newsletter:no' },
        ],
      },
      channelData: {
        quick_replies: [
          { content_type: 'text', payload: 'newsletter:yes' },
          { content_type: 'text', title: 'Nein', payload: 'newsletter:no' },
        ],
      },
    });
    const titles = (sent!.activity.suggestedActions as { actions: { title: string }[] }).actions.map(
      (a) => a.title,
    );
    expect(titles.every((t) => [...t].length <= 20)).toBe(true);
  });

  it('uses a hero card for link buttons and adds the message tag outside the window', async () => {
    const target = await facebookTarget();
    await adapter.send(target, {
      text: 'Dein Cupping beginnt morgen.',
      buttons: [{ label: 'Details', url: 'https://bohnenglueck.example/cupping' }],
      tag: 'CONFIRMED_EVENT_UPDATE',
    });
    expect(connector.activities[0]?.activity).toMatchObject({
      attachments: [
        {
          contentType: 'application/vnd.microsoft.card.hero',
          content: {
            text: 'Dein Cupping beginnt morgen.',
            buttons: [{ type: 'openUrl', title: 'Details', value: 'https://bohnenglueck.example/cupping' }],
          },
        },
      ],
      channelData: { messaging_type: 'MESSAGE_TAG', tag: 'CONFIRMED_EVENT_UPDATE' },
    });
  });

  it('sends a typing activity', async () => {
    const target = await facebookTarget();
    await adapter.sendTyping?.(target);
    expect(connector.activities[0]?.activity.type).toBe('typing');
  });

  it('refuses to send without a stored conversation reference', async () => {
    const error = await adapter
      .send({ contact: contact('messenger-botframework', PSID), conversationId: null }, { text: 'Hallo' })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'permanent' });
  });

  it.each([
    [401, 'permanent', 1],
    [403, 'permanent', 1],
    [404, 'permanent', 1],
    // The connector client retries these itself (3 retries) before the error reaches the adapter.
    [429, 'rate-limited', 4],
    [500, 'transient', 4],
  ] as const)('maps connector HTTP %i to %s', async (status, kind, attempts) => {
    const target = await facebookTarget();
    connector.failNext(status, status === 429 ? '0' : undefined, 4);
    try {
      const error = await adapter.send(target, { text: 'Hallo' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SendError);
      expect((error as SendError).kind).toBe(kind);
      expect(connector.activities).toHaveLength(attempts);
    } finally {
      connector.clearFailures();
    }
  });

  it('maps RestError-like failures, honouring Retry-After', () => {
    const restError = (statusCode: number, retryAfter?: string) =>
      Object.assign(new Error('connector said no'), {
        statusCode,
        response: {
          headers: { get: (name: string) => (name === 'retry-after' ? (retryAfter ?? null) : null) },
        },
      });
    expect(toBotFrameworkSendError(restError(429, '4'))).toMatchObject({
      kind: 'rate-limited',
      retryAfterMs: 4000,
    });
    expect(toBotFrameworkSendError(restError(429))).toMatchObject({
      kind: 'rate-limited',
      retryAfterMs: 5000,
    });
    expect(toBotFrameworkSendError(restError(503)).kind).toBe('transient');
    expect(toBotFrameworkSendError(restError(400)).kind).toBe('permanent');
    expect(toBotFrameworkSendError(new Error('ECONNREFUSED')).kind).toBe('transient');
  });
});
