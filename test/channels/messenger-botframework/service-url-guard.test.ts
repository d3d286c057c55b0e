import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createBotFrameworkAdapter } from '../../../src/channels/messenger-botframework/adapter.js';
import { type ChannelAdapter, type InboundRejection, SendError } from '../../../src/channels/types.js';
import { loadConfig } from '../../../src/config.js';
import { silentLogger } from '../../../src/logger.js';
import { contact, RecordingSink, type RunningServer, serveRoutes } from '../meta/support.js';

/** A local listener standing for an internal service: it must never receive a request. */
let listener: http.Server;
let port: number;
const arrived: string[] = [];
let adapter: ChannelAdapter;
let server: RunningServer;

class RejectingSink extends RecordingSink {
  readonly rejections: InboundRejection[] = [];
  async reject(rejection: InboundRejection): Promise<void> {
    this.rejections.push(rejection);
  }
}
let sink: RejectingSink;

beforeAll(async () => {
  listener = http.createServer((req, res) => {
    arrived.push(`${req.method} ${req.url}`);
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"id":"leaked"}');
  });
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  port = (listener.address() as AddressInfo).port;
  // No allowance configured: the guard is on even with authentication disabled (the Emulator mode).
  const created = createBotFrameworkAdapter(
    loadConfig({ BOTFRAMEWORK_ENABLED: 'true', MICROSOFT_APP_ID: '' }),
    silentLogger,
    { lookupAll: async () => [{ address: '10.0.0.5', family: 4 }] },
  );
  if (!created) throw new Error('adapter not enabled');
  adapter = created;
  server = await serveRoutes(adapter.routes);
});

afterAll(async () => {
  await server.close();
  await new Promise((resolve) => listener.close(resolve));
});

beforeEach(async () => {
  sink = new RejectingSink();
  await adapter.start(sink);
  arrived.length = 0;
});

function forged(serviceUrl: string, id: string) {
  return {
    type: 'message',
    id,
    channelId: 'emulator',
    serviceUrl,
    from: { id: 'attacker' },
    recipient: { id: 'bot' },
    conversation: { id: 'conv-x' },
    text: 'hi',
  };
}

const FORGED_URLS = () => [
  `http://127.0.0.1:${port}/`,
  `http://[::127.0.0.1]:${port}/`,
  `http://[::ffff:127.0.0.1]:${port}/`,
  `http://2130706433:${port}/`,
  'http://169.254.169.254/',
  'http://internal.example/',
  'file:///etc/passwd',
];

describe('Bot Framework serviceUrl guard', () => {
  it('rejects forged activities naming internal serviceUrls: 400, nothing recorded, nothing sent', async () => {
    for (const [i, url] of FORGED_URLS().entries()) {
      const response = await fetch(`${server.url}/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(forged(url, `f-${i}`)),
      });
      expect(response.status, url).toBe(400);
      expect(await response.json()).toEqual({ error: 'serviceUrl not allowed' });
    }
    expect(sink.accepted).toHaveLength(0);
    // Unauthenticated (no app id): no dead-letter rows anyone could fill.
    expect(sink.rejections).toHaveLength(0);
    expect(arrived).toEqual([]);
  });

  it('never POSTs a reply to a stored reference naming an internal serviceUrl', async () => {
    for (const url of [`http://127.0.0.1:${port}/`, `http://[::127.0.0.1]:${port}/`]) {
      const replyAddress = {
        channelId: 'emulator',
        serviceUrl: url,
        conversation: { id: 'conv-x' },
        user: { id: 'attacker' },
        bot: { id: 'bot' },
      };
      const target = {
        contact: contact('messenger-botframework', 'attacker', { replyAddress }),
        conversationId: 'conv-1',
      };
      const sending = adapter.send(target, { text: 'Hallo' });
      await expect(sending).rejects.toBeInstanceOf(SendError);
      await expect(sending).rejects.toMatchObject({ kind: 'permanent' });
      await adapter.sendTyping?.(target);
    }
    expect(arrived).toEqual([]);
  });

  it('lets an explicitly allowed origin through, and production refuses that allowance', async () => {
    const { createServiceUrlGuard } = await import(
      '../../../src/channels/messenger-botframework/service-url-guard.js'
    );
    const check = createServiceUrlGuard({ allowedOrigins: [`http://127.0.0.1:${port}`] });
    await expect(check(`http://127.0.0.1:${port}/v3/`)).resolves.toBeUndefined();
    // Same host, other port: not the allowed origin.
    await expect(check(`http://127.0.0.1:${port + 1}/`)).rejects.toThrow(/serviceUrl refused/);
    await expect(check(`http://[::127.0.0.1]:${port}/`)).rejects.toThrow(/serviceUrl refused/);
    expect(() =>
      loadConfig({
        NODE_ENV: 'production',
        PUBLIC_URL: 'https://bot.example',
        ERASURE_HASH_KEY: 'x'.repeat(40),
        BOTFRAMEWORK_ENABLED: 'true',
        MICROSOFT_APP_ID: 'app',
        MICROSOFT_APP_PASSWORD: 'secret',
        BOTFRAMEWORK_ALLOWED_SERVICE_URLS: 'http://127.0.0.1:3978',
      }),
    ).toThrow(/BOTFRAMEWORK_ALLOWED_SERVICE_URLS: not allowed in production/);
    expect(() => loadConfig({ BOTFRAMEWORK_ALLOWED_SERVICE_URLS: 'http://127.0.0.1:3978/v3/x' })).toThrow(
      /is not an origin/,
    );
  });
});
