/**
 * Test doubles shared by the channel adapter tests: an InboundSink that records and dedupes on
 * (channel, nativeId) like the real inbox, and an express server on port 0 serving an adapter's routes.
 */
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { InboundSink, WebhookRoute } from '../../../src/channels/types.js';
import { createWebhookRouter } from '../../../src/http/webhooks.js';
import { silentLogger } from '../../../src/logger.js';
import type { DeliveryReport, InboundMessage } from '../../../src/model/index.js';

export class RecordingSink implements InboundSink {
  readonly messages: InboundMessage[] = [];
  readonly reports: DeliveryReport[] = [];
  /** Every accept call, duplicates included. */
  attempts = 0;
  /** The next `n` accept calls throw, as a failing database would. */
  failNext = 0;
  private readonly seen = new Set<string>();
  private readonly listeners = new Set<() => void>();

  async accept(message: InboundMessage): Promise<'accepted' | 'duplicate'> {
    this.attempts += 1;
    // A real inbox writes in a transaction; yielding here lets parallel deliveries interleave.
    await new Promise((resolve) => setImmediate(resolve));
    if (this.failNext > 0) {
      this.failNext -= 1;
      throw new Error('database unavailable');
    }
    const key = `${message.channel}:${message.nativeId}`;
    if (this.seen.has(key)) return 'duplicate';
    this.seen.add(key);
    this.messages.push(message);
    for (const notify of [...this.listeners]) notify();
    return 'accepted';
  }

  async acceptDeliveryReport(report: DeliveryReport): Promise<void> {
    this.reports.push(report);
  }

  async waitForMessages(count: number, timeoutMs = 5000): Promise<InboundMessage[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.messages.length < count) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error(`expected ${count} message(s), got ${this.messages.length}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, remaining);
        const listeners = this.listeners;
        function done() {
          clearTimeout(timer);
          listeners.delete(done);
          resolve();
        }
        listeners.add(done);
      });
    }
    return this.messages;
  }
}

export interface RouteServer {
  url: string;
  close(): Promise<void>;
}

/** Serves `routes` through the lead's webhook router on 127.0.0.1, port 0. */
export async function serveRoutes(routes: readonly WebhookRoute[]): Promise<RouteServer> {
  const app = express();
  app.use(createWebhookRouter(routes, silentLogger));
  const server: Server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close').catch(() => {});
    },
  };
}
