/**
 * Posts one signed JSON body to a webhook: connects only to guard-checked addresses, follows no redirects,
 * gives up after the timeout, and reads at most a few kilobytes of the answer (for the error reason).
 */
import { createHmac } from 'node:crypto';
import type { LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { type LookupAll, resolveAllowedAddresses } from './address-guard.js';

export interface WebhookResponse {
  status: number;
  /** The first bytes of the body, for failure reasons. */
  bodySnippet: string;
  location: string | null;
  retryAfterSeconds: number | null;
}

export interface PostOptions {
  allowPrivate: boolean;
  timeoutMs: number;
  headers: Record<string, string>;
  lookupAll?: LookupAll;
}

export class WebhookTimeoutError extends Error {
  constructor(timeoutMs: number) {
    super(`no answer within ${timeoutMs} ms`);
    this.name = 'WebhookTimeoutError';
  }
}

/** `sha256=<hex HMAC-SHA256 of the exact body>`: what X-Plausch-Signature carries. */
export function signBody(secret: string, body: string | Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

const MAX_SNIPPET_BYTES = 2048;

function pinnedLookup(addresses: LookupAddress[]): LookupFunction {
  return (_hostname, options, callback) => {
    const first = addresses[0]!;
    if ((options as { all?: boolean }).all) {
      (callback as unknown as (err: null, addresses: LookupAddress[]) => void)(null, addresses);
    } else {
      callback(null, first.address, first.family);
    }
  };
}

export async function postJson(url: string, body: string, options: PostOptions): Promise<WebhookResponse> {
  const target = new URL(url);
  if (target.protocol !== 'http:' && target.protocol !== 'https:') {
    throw new Error(`webhook URL must be http or https, not ${target.protocol}`);
  }
  const addresses = await resolveAllowedAddresses(target.hostname, options.allowPrivate, options.lookupAll);
  const transport = target.protocol === 'https:' ? https : http;
  return new Promise<WebhookResponse>((resolve, reject) => {
    const request = transport.request(
      target,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json; charset=utf-8',
          'content-length': String(Buffer.byteLength(body)),
          'user-agent': 'Plausch-CRM-Webhook/1',
          ...options.headers,
        },
        lookup: pinnedLookup(addresses),
        // Keep-alive sockets could outlive the address check; every delivery connects afresh.
        agent: false,
      },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          if (size < MAX_SNIPPET_BYTES) chunks.push(chunk);
          size += chunk.length;
        });
        response.on('end', () => {
          clearTimeout(timer);
          const retryAfter = Number.parseInt(String(response.headers['retry-after'] ?? ''), 10);
          resolve({
            status: response.statusCode ?? 0,
            bodySnippet: Buffer.concat(chunks).toString('utf8').slice(0, 300),
            location: typeof response.headers.location === 'string' ? response.headers.location : null,
            retryAfterSeconds: Number.isFinite(retryAfter) ? retryAfter : null,
          });
        });
        response.on('error', (error) => {
          clearTimeout(timer);
          reject(error);
        });
      },
    );
    const timer = setTimeout(
      () => request.destroy(new WebhookTimeoutError(options.timeoutMs)),
      options.timeoutMs,
    );
    request.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    request.end(body);
  });
}
