/**
 * A fake Bot Framework connector (what `serviceUrl` points at): accepts
 * `POST /v3/conversations/:id/activities[/:activityId]`, records the activities and answers `{id}`;
 * can fail on demand with a status code. Listens on 127.0.0.1, port 0.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedActivity {
  conversationId: string;
  replyToActivityId: string | null;
  authorization: string | null;
  activity: Record<string, unknown>;
}

export class FakeBotFrameworkConnector {
  readonly activities: RecordedActivity[] = [];
  private readonly failures: { status: number; retryAfter?: string }[] = [];
  private counter = 0;

  private constructor(
    private readonly server: Server,
    /** Use as the activity's `serviceUrl`. */
    readonly serviceUrl: string,
  ) {}

  static async start(): Promise<FakeBotFrameworkConnector> {
    let fake: FakeBotFrameworkConnector | null = null;
    const server = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const match = /^\/v3\/conversations\/([^/]+)\/activities(?:\/([^/?]+))?$/.exec(
        new URL(req.url ?? '/', 'http://x').pathname,
      );
      if (!fake || req.method !== 'POST' || !match?.[1]) {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { code: 'NotFound', message: 'unknown route' } }));
        return;
      }
      fake.activities.push({
        conversationId: decodeURIComponent(match[1]),
        replyToActivityId: match[2] ? decodeURIComponent(match[2]) : null,
        authorization: req.headers.authorization ?? null,
        activity: JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>,
      });
      const failure = fake.failures.shift();
      if (failure) {
        res.writeHead(failure.status, {
          'content-type': 'application/json',
          ...(failure.retryAfter ? { 'retry-after': failure.retryAfter } : {}),
        });
        res.end(JSON.stringify({ error: { code: 'Fake', message: `fake failure ${failure.status}` } }));
        return;
      }
      fake.counter += 1;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: `activity-${fake.counter}` }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    fake = new FakeBotFrameworkConnector(server, `http://127.0.0.1:${port}/`);
    return fake;
  }

  /** The next `times` calls fail with `status` (the SDK retries 429/5xx on its own, so fail them all). */
  failNext(status: number, retryAfter?: string, times = 1): void {
    for (let i = 0; i < times; i++)
      this.failures.push({ status, ...(retryAfter !== undefined ? { retryAfter } : {}) });
  }

  clearFailures(): void {
    this.failures.length = 0;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
