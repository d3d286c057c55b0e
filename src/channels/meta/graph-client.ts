/**
 * A small Graph API client shared by WhatsApp Cloud and Messenger: JSON POSTs (and GETs) to
 * `<root>/<version>/<path>` with the token as bearer header or `access_token` query, an `appsecret_proof`
 * when the app secret is known, a timeout, and every failure turned into a `GraphApiError` that keeps what
 * the error mappers need (HTTP status, Graph code and subcode, Retry-After).
 */
import { createHmac } from 'node:crypto';
import { z } from 'zod';

export type TokenPlacement = 'bearer' | 'query';

export interface GraphApiClientOptions {
  /** e.g. `https://graph.facebook.com` (META_GRAPH_API_ROOT). */
  root: string;
  /** e.g. `v21.0` (META_GRAPH_API_VERSION). */
  version: string;
  accessToken: string;
  tokenPlacement: TokenPlacement;
  /** Adds `appsecret_proof` (required when the app enforces "Require App Secret"). */
  appSecret?: string;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/** A Graph API call that failed; `status` is null when no HTTP answer arrived (network, timeout). */
export class GraphApiError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
    readonly code: number | null = null,
    readonly subcode: number | null = null,
    readonly retryAfterMs: number | null = null,
    readonly isTransient: boolean = false,
    readonly fbtraceId: string | null = null,
  ) {
    super(message);
    this.name = 'GraphApiError';
  }
}

const graphErrorBody = z.object({
  error: z.looseObject({
    message: z.string().optional(),
    type: z.string().optional(),
    code: z.number().optional(),
    error_subcode: z.number().optional(),
    is_transient: z.boolean().optional(),
    error_user_msg: z.string().optional(),
    error_data: z.looseObject({ details: z.string().optional() }).optional(),
    fbtrace_id: z.string().optional(),
  }),
});

export class GraphApiClient {
  private readonly base: string;
  private readonly fetchImpl: typeof fetch;
  private readonly proof: string | null;

  constructor(private readonly options: GraphApiClientOptions) {
    this.base = `${options.root.replace(/\/+$/, '')}/${options.version.replace(/^\/+|\/+$/g, '')}`;
    this.fetchImpl = options.fetch ?? fetch;
    this.proof = options.appSecret
      ? createHmac('sha256', options.appSecret).update(options.accessToken).digest('hex')
      : null;
  }

  /** POSTs `body` as JSON to `path` (e.g. `/123/messages`) and returns the parsed JSON answer. */
  async post(path: string, body: unknown): Promise<unknown> {
    return this.request('POST', path, body);
  }

  /** GETs `path` with `query` (e.g. `/<waba>/message_templates?fields=…`) and returns the parsed JSON answer. */
  async get(path: string, query: Record<string, string> = {}): Promise<unknown> {
    return this.request('GET', path, undefined, query);
  }

  private async request(
    method: 'GET' | 'POST',
    path: string,
    body: unknown,
    query: Record<string, string> = {},
  ): Promise<unknown> {
    const url = new URL(`${this.base}/${path.replace(/^\/+/, '')}`);
    for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
    const headers: Record<string, string> = method === 'POST' ? { 'content-type': 'application/json' } : {};
    if (this.options.tokenPlacement === 'bearer')
      headers.authorization = `Bearer ${this.options.accessToken}`;
    else url.searchParams.set('access_token', this.options.accessToken);
    if (this.proof) url.searchParams.set('appsecret_proof', this.proof);

    let response: Response;
    try {
      response = await this.fetchImpl(url, {
        method,
        headers,
        ...(method === 'POST' ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 15_000),
      });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new GraphApiError(`Graph API unreachable: ${reason}`, null, null, null, null, true);
    }
    const text = await response.text().catch(() => '');
    const json = parseJson(text);
    if (response.ok) {
      if (json === undefined) throw new GraphApiError('Graph API answered without JSON', response.status);
      return json;
    }
    throw toGraphApiError(response.status, json, text, parseRetryAfter(response.headers.get('retry-after')));
  }
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function toGraphApiError(
  status: number,
  json: unknown,
  text: string,
  retryAfterMs: number | null,
): GraphApiError {
  const parsed = graphErrorBody.safeParse(json);
  if (!parsed.success) {
    return new GraphApiError(
      `Graph API HTTP ${status}: ${text.slice(0, 200)}`,
      status,
      null,
      null,
      retryAfterMs,
    );
  }
  const e = parsed.data.error;
  const detail = e.error_data?.details ?? e.error_user_msg;
  const message = `Graph API HTTP ${status}, code ${e.code ?? '?'}${e.error_subcode ? `/${e.error_subcode}` : ''}: ${
    e.message ?? 'no message'
  }${detail ? ` (${detail})` : ''}`;
  return new GraphApiError(
    message,
    status,
    e.code ?? null,
    e.error_subcode ?? null,
    retryAfterMs,
    e.is_transient ?? false,
    e.fbtrace_id ?? null,
  );
}

/** `Retry-After` as seconds or an HTTP date, in milliseconds; null when absent or unreadable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | null {
  if (!value) return null;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}
