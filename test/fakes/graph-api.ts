/**
 * A fake Graph API for WhatsApp Cloud (`POST /{version}/{phone_number_id}/messages`, bearer token; the
 * business account's template list `GET /{version}/{waba_id}/message_templates`, paged by `after`) and
 * Messenger (`POST /{version}/me/messages?access_token=`): checks tokens, records calls, answers with ids,
 * and fails on demand with Meta's error shapes. Listens on 127.0.0.1, port 0.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { signMetaPayload } from '../../src/channels/meta/signature.js';

export { signMetaPayload as signFixture };

export interface FakeGraphCall {
  api: 'whatsapp' | 'messenger';
  path: string;
  query: Record<string, string>;
  body: Record<string, unknown>;
  /** When the fake accepted the call (epoch ms). */
  at: number;
}

export interface FakeGraphFailure {
  status: number;
  code?: number;
  subcode?: number;
  message?: string;
  /** Sent as the Retry-After header. */
  retryAfter?: string;
}

export interface FakeGraphOptions {
  version?: string;
  whatsappToken?: string;
  phoneNumberId?: string;
  pageToken?: string;
  businessAccountId?: string;
}

/** One entry of `message_templates` as Meta lists it. */
export interface FakeTemplate {
  name: string;
  language: string;
  status: string;
  category: string;
  components: Array<{ type: string; text?: string }>;
}

export class FakeGraphApi {
  readonly calls: FakeGraphCall[] = [];
  /** What `message_templates` lists; tests fill it. */
  templates: FakeTemplate[] = [];
  /** Template list requests, for paging checks. */
  readonly templateListCalls: Array<Record<string, string>> = [];
  private readonly failures: FakeGraphFailure[] = [];
  private counter = 0;

  private constructor(
    private readonly server: Server,
    readonly root: string,
    readonly options: Required<FakeGraphOptions>,
  ) {}

  static async start(options: FakeGraphOptions = {}): Promise<FakeGraphApi> {
    const full: Required<FakeGraphOptions> = {
      version: options.version ?? 'v21.0',
      whatsappToken: options.whatsappToken ?? 'wa-test-token',
      phoneNumberId: options.phoneNumberId ?? '106540352242922',
      pageToken: options.pageToken ?? 'page-test-token',
      businessAccountId: options.businessAccountId ?? '102290129340398',
    };
    let fake: FakeGraphApi | null = null;
    const server = createServer((req, res) => {
      void fake?.handle(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    fake = new FakeGraphApi(server, `http://127.0.0.1:${port}`, full);
    return fake;
  }

  /** The next calls fail in this order (each failure is used once). */
  failNext(...failures: FakeGraphFailure[]): void {
    this.failures.push(...failures);
  }

  /** Message bodies sent to WhatsApp, in order. */
  whatsappMessages(): Record<string, unknown>[] {
    return this.calls.filter((c) => c.api === 'whatsapp').map((c) => c.body);
  }

  messengerCalls(): Record<string, unknown>[] {
    return this.calls.filter((c) => c.api === 'messenger').map((c) => c.body);
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? '/', this.root);
    const query = Object.fromEntries(url.searchParams.entries());
    const { version, phoneNumberId, whatsappToken, pageToken, businessAccountId } = this.options;
    if (req.method === 'GET' && url.pathname === `/${version}/${businessAccountId}/message_templates`) {
      if (req.headers.authorization !== `Bearer ${whatsappToken}`) return this.oauthError(res);
      this.templateListCalls.push(query);
      const limit = Number(query.limit ?? 25);
      const start = Number(query.after ?? 0);
      const data = this.templates.slice(start, start + limit);
      const more = start + limit < this.templates.length;
      return send(res, 200, {
        data,
        paging: {
          cursors: { before: String(start), after: String(start + limit) },
          ...(more ? { next: `${this.root}${url.pathname}?after=${start + limit}` } : {}),
        },
      });
    }
    // "Who am I": what `plausch doctor` asks to check the credentials.
    if (req.method === 'GET' && url.pathname === `/${version}/${phoneNumberId}`) {
      if (req.headers.authorization !== `Bearer ${whatsappToken}`) return this.oauthError(res);
      return send(res, 200, {
        id: phoneNumberId,
        display_phone_number: '+49 151 23456789',
        verified_name: 'Bohnenglück',
      });
    }
    if (req.method === 'GET' && url.pathname === `/${version}/me`) {
      if (query.access_token !== pageToken) return this.oauthError(res);
      return send(res, 200, { id: '1029384756', name: 'Bohnenglück Kaffeerösterei' });
    }
    let api: FakeGraphCall['api'];
    if (req.method === 'POST' && url.pathname === `/${version}/${phoneNumberId}/messages`) {
      if (req.headers.authorization !== `Bearer ${whatsappToken}`) return this.oauthError(res);
      api = 'whatsapp';
    } else if (req.method === 'POST' && url.pathname === `/${version}/me/messages`) {
      if (query.access_token !== pageToken) return this.oauthError(res);
      api = 'messenger';
    } else {
      return send(res, 404, {
        error: { message: `Unknown path ${url.pathname}`, type: 'GraphMethodException', code: 100 },
      });
    }
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
    } catch {
      return send(res, 400, { error: { message: 'body is not JSON', type: 'OAuthException', code: 100 } });
    }
    this.calls.push({ api, path: url.pathname, query, body, at: Date.now() });
    const failure = this.failures.shift();
    if (failure) {
      const headers: Record<string, string> = failure.retryAfter ? { 'retry-after': failure.retryAfter } : {};
      return send(
        res,
        failure.status,
        {
          error: {
            message: failure.message ?? `fake failure ${failure.code ?? failure.status}`,
            type: 'OAuthException',
            ...(failure.code !== undefined ? { code: failure.code } : {}),
            ...(failure.subcode !== undefined ? { error_subcode: failure.subcode } : {}),
            fbtrace_id: 'AbCdEf',
          },
        },
        headers,
      );
    }
    this.counter += 1;
    if (api === 'whatsapp') {
      const to = String(body.to ?? '');
      return send(res, 200, {
        messaging_product: 'whatsapp',
        contacts: [{ input: to, wa_id: to }],
        messages: [{ id: `wamid.FAKE${this.counter}` }],
      });
    }
    const recipient = (body.recipient as { id?: string } | undefined)?.id ?? '';
    if (body.sender_action) return send(res, 200, { recipient_id: recipient });
    return send(res, 200, { recipient_id: recipient, message_id: `m_FAKE${this.counter}` });
  }

  private oauthError(res: ServerResponse): void {
    send(res, 401, { error: { message: 'Invalid OAuth access token.', type: 'OAuthException', code: 190 } });
  }
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}
