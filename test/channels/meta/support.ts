/**
 * Shared by the Meta and Bot Framework channel tests: a recording inbound sink that dedupes on nativeId like
 * the real inbox, an express server on port 0 serving adapter routes through the lead's webhook router,
 * fixture loading and a Contact builder.
 */
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import express from 'express';
import type { DeliveryWatermark, InboundSink, WebhookRoute } from '../../../src/channels/types.js';
import { createWebhookRouter } from '../../../src/http/webhooks.js';
import { silentLogger } from '../../../src/logger.js';
import type { ChannelName, Contact, DeliveryReport, InboundMessage } from '../../../src/model/index.js';

export class RecordingSink implements InboundSink {
  readonly accepted: InboundMessage[] = [];
  readonly duplicates: string[] = [];
  readonly reports: DeliveryReport[] = [];
  readonly watermarks: DeliveryWatermark[] = [];
  /** When set, `accept` rejects (as a failing database would). */
  failWith: Error | null = null;
  private readonly seen = new Set<string>();

  async accept(message: InboundMessage): Promise<'accepted' | 'duplicate'> {
    // A tick of latency, so parallel redeliveries really interleave.
    await new Promise((resolve) => setTimeout(resolve, 1));
    if (this.failWith) throw this.failWith;
    const key = `${message.channel}:${message.nativeId}`;
    if (this.seen.has(key)) {
      this.duplicates.push(message.nativeId);
      return 'duplicate';
    }
    this.seen.add(key);
    this.accepted.push(message);
    return 'accepted';
  }

  async acceptDeliveryReport(report: DeliveryReport): Promise<void> {
    if (this.failWith) throw this.failWith;
    this.reports.push(report);
  }

  async acceptDeliveryWatermark(watermark: DeliveryWatermark): Promise<void> {
    this.watermarks.push(watermark);
  }
}

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

export async function serveRoutes(routes: readonly WebhookRoute[]): Promise<RunningServer> {
  const app = express();
  app.use(createWebhookRouter(routes, silentLogger));
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const FIXTURES = join(import.meta.dirname, '../../fixtures/meta');

/** The fixture's exact bytes (what Meta would send), not a re-serialisation. */
export function fixtureBytes(name: string): Buffer {
  return readFileSync(join(FIXTURES, name));
}

export function contact(
  channel: ChannelName,
  channelContactId: string,
  overrides: Partial<Contact> = {},
): Contact {
  return {
    id: 'contact-1',
    channel,
    channelContactId,
    displayName: null,
    firstName: null,
    lastName: null,
    username: null,
    phone: null,
    locale: 'de',
    tags: [],
    attributes: {},
    replyAddress: null,
    createdAt: new Date('2026-01-01T00:00:00Z'),
    lastInboundAt: new Date(),
    ...overrides,
  };
}

/** POSTs exact bytes with an optional `X-Hub-Signature-256` header. */
export function postSigned(url: string, body: Buffer | string, signature: string | null): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(signature ? { 'x-hub-signature-256': signature } : {}),
    },
    body: typeof body === 'string' ? body : new Uint8Array(body),
  });
}
