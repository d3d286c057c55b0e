/**
 * A fake Telegram Bot API server for tests and benchmarks: a real HTTP server on 127.0.0.1, port 0, serving
 * `/bot<token>/<method>` like api.telegram.org. Records every call, long-polls getUpdates with offset
 * semantics over a queue tests push into, validates what Telegram validates (text length, callback_data
 * bytes) and fails on demand (429 with retry_after, 403 blocked, 5xx). With `rateLimit` it enforces Telegram's
 * bulk limit like the platform does: more than `perSecond` sends in any rolling second are answered 429.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedCall {
  method: string;
  body: Record<string, unknown>;
  at: number;
}

export interface ProgrammedFailure {
  status: number;
  description: string;
  retryAfter?: number;
}

export const BLOCKED_BY_USER: ProgrammedFailure = {
  status: 403,
  description: 'Forbidden: bot was blocked by the user',
};
export const CHAT_NOT_FOUND: ProgrammedFailure = { status: 400, description: 'Bad Request: chat not found' };
export const tooManyRequests = (retryAfter: number): ProgrammedFailure => ({
  status: 429,
  description: `Too Many Requests: retry after ${retryAfter}`,
  retryAfter,
});

export interface FakeBotInfo {
  id: number;
  is_bot: true;
  first_name: string;
  username: string;
}

type Update = Record<string, unknown> & { update_id: number };

/** Methods that send a message and count against Telegram's limits. */
const SENDING_METHODS = new Set(['sendMessage', 'sendPhoto', 'sendDocument', 'sendLocation']);

export interface FakeRateLimit {
  /** Sends accepted in any rolling 1,000 ms across all chats (Telegram: about 30). */
  perSecond: number;
}

export class FakeTelegramBotApi {
  readonly calls: RecordedCall[] = [];
  /** The webhook set through setWebhook, if any. */
  webhook: { url: string; secret_token?: string } | null = null;
  /** Highest offset a getUpdates call confirmed: updates below it are gone, as on Telegram. */
  confirmedOffset = 0;

  private readonly queue: Update[] = [];
  private nextUpdateId = 100_000;
  private nextMessageId = 1;
  private readonly failures = new Map<string, ProgrammedFailure[]>();
  private readonly waiters = new Set<() => void>();
  private readonly callListeners = new Set<() => void>();
  /** Files customers "sent": file_id → bytes and the path getFile names. */
  private readonly files = new Map<string, { bytes: Buffer; path: string }>();
  /** How often each file was downloaded from /file/bot<token>/<path>. */
  readonly downloads = new Map<string, number>();
  private readonly sendListeners = new Set<(call: RecordedCall) => void>();
  /** Times of accepted sends within the last second, oldest first (the rolling window of `rateLimit`). */
  private readonly recentSends: number[] = [];
  /** Sends answered 429 because they exceeded `rateLimit`. */
  rateLimited = 0;
  /** When false, calls are not kept in `calls` (long benchmarks); listeners still hear them. */
  recordCalls = true;
  /**
   * The platform away for sends: `down` answers every send 500, `hang` answers nothing (the client's
   * timeout ends it), null = normal. Hung requests are cut when the outage ends and never processed.
   */
  private outage: 'down' | 'hang' | null = null;
  private readonly hung = new Set<ServerResponse>();

  private constructor(
    private readonly server: Server,
    readonly token: string,
    readonly botInfo: FakeBotInfo,
    readonly rateLimit: FakeRateLimit | null,
  ) {}

  static async start(
    options: { token?: string; botInfo?: Partial<FakeBotInfo>; rateLimit?: FakeRateLimit } = {},
  ): Promise<FakeTelegramBotApi> {
    const token = options.token ?? '123456:TEST-token';
    const botInfo: FakeBotInfo = {
      id: 123456,
      is_bot: true,
      first_name: 'Bohnenglück',
      username: 'bohnenglueck_bot',
      ...options.botInfo,
    };
    let fake: FakeTelegramBotApi | null = null;
    const server = createServer((req, res) => {
      void fake?.handle(req, res);
    });
    fake = new FakeTelegramBotApi(server, token, botInfo, options.rateLimit ?? null);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return fake;
  }

  /** What to pass as TELEGRAM_API_ROOT. */
  get apiRoot(): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  /** Queues an update for getUpdates; assigns the next update_id unless given. Returns the update. */
  pushUpdate(update: Record<string, unknown> & { update_id?: number }): Update {
    const full: Update = { ...update, update_id: update.update_id ?? this.nextUpdateId++ };
    this.queue.push(full);
    for (const wake of this.waiters) wake();
    return full;
  }

  /** Makes a file downloadable: getFile answers its path, /file/bot<token>/<path> its bytes. */
  addFile(fileId: string, bytes: Buffer, path = `photos/${fileId}.jpg`): void {
    this.files.set(fileId, { bytes, path });
  }

  /** The next `count` calls of `method` fail like Telegram would. */
  failNext(method: string, count: number, failure: ProgrammedFailure): void {
    const list = this.failures.get(method) ?? [];
    for (let i = 0; i < count; i += 1) list.push(failure);
    this.failures.set(method, list);
  }

  setOutage(mode: 'down' | 'hang' | null): void {
    this.outage = mode;
    if (mode !== 'hang') this.cutHung();
  }

  /** Sends currently held unanswered by a `hang` outage. */
  get hungRequests(): number {
    return this.hung.size;
  }

  private cutHung(): void {
    for (const res of this.hung) res.socket?.destroy();
    this.hung.clear();
  }

  /** Hears every accepted send (after the rate limit); returns the unsubscribe function. */
  onSend(listener: (call: RecordedCall) => void): () => void {
    this.sendListeners.add(listener);
    return () => {
      this.sendListeners.delete(listener);
    };
  }

  callsOf(method: string): RecordedCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** Resolves when `count` calls of `method` were recorded (rejects after `timeoutMs`). */
  async waitForCalls(method: string, count = 1, timeoutMs = 5000): Promise<RecordedCall[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.callsOf(method).length < count) {
      const remaining = deadline - Date.now();
      if (remaining <= 0)
        throw new Error(
          `fake Bot API: expected ${count} ${method} call(s), got ${this.callsOf(method).length}`,
        );
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, remaining);
        const listeners = this.callListeners;
        function done() {
          clearTimeout(timer);
          listeners.delete(done);
          resolve();
        }
        listeners.add(done);
      });
    }
    return this.callsOf(method);
  }

  async close(): Promise<void> {
    this.cutHung();
    for (const wake of this.waiters) wake();
    this.server.closeAllConnections();
    this.server.close();
    await once(this.server, 'close').catch(() => {});
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const download = /^\/file\/bot([^/]+)\/(.+)$/.exec(req.url?.split('?')[0] ?? '');
    if (download) {
      const file = [...this.files.values()].find((f) => f.path === download[2]);
      if (download[1] !== this.token || !file) {
        res.statusCode = 404;
        res.end('Not Found');
        return;
      }
      this.downloads.set(file.path, (this.downloads.get(file.path) ?? 0) + 1);
      res.statusCode = 200;
      // Like Telegram's file server: no useful content type.
      res.setHeader('content-type', 'application/octet-stream');
      res.setHeader('content-length', String(file.bytes.length));
      res.end(file.bytes);
      return;
    }
    const match = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(req.url?.split('?')[0] ?? '');
    if (!match || match[1] !== this.token)
      return send(res, 401, { ok: false, error_code: 401, description: 'Unauthorized' });
    const method = match[2]!;
    const body = await readJson(req);
    if (body === null)
      return send(res, 400, { ok: false, error_code: 400, description: 'Bad Request: invalid JSON' });
    const call: RecordedCall = { method, body, at: Date.now() };
    if (this.recordCalls) this.calls.push(call);
    for (const notify of [...this.callListeners]) notify();
    if (SENDING_METHODS.has(method) && this.outage === 'down') {
      return send(res, 500, { ok: false, error_code: 500, description: 'Internal Server Error' });
    }
    if (SENDING_METHODS.has(method) && this.outage === 'hang') {
      this.hung.add(res);
      return;
    }
    if (SENDING_METHODS.has(method) && this.overRateLimit(call.at)) {
      this.rateLimited += 1;
      return send(res, 429, {
        ok: false,
        error_code: 429,
        description: 'Too Many Requests: retry after 1',
        parameters: { retry_after: 1 },
      });
    }

    const failure = this.failures.get(method)?.shift();
    if (failure) {
      return send(res, failure.status, {
        ok: false,
        error_code: failure.status,
        description: failure.description,
        ...(failure.retryAfter !== undefined ? { parameters: { retry_after: failure.retryAfter } } : {}),
      });
    }
    const result = await this.answer(method, body, req);
    if ('error' in result) {
      return send(res, result.error.status, {
        ok: false,
        error_code: result.error.status,
        description: result.error.description,
      });
    }
    if (SENDING_METHODS.has(method)) for (const listener of [...this.sendListeners]) listener(call);
    send(res, 200, { ok: true, result: result.ok });
  }

  /** True when this send would be one too many in the rolling second; otherwise counts it. */
  private overRateLimit(at: number): boolean {
    if (!this.rateLimit) return false;
    while (this.recentSends.length > 0 && this.recentSends[0]! <= at - 1000) this.recentSends.shift();
    if (this.recentSends.length >= this.rateLimit.perSecond) return true;
    this.recentSends.push(at);
    return false;
  }

  private async answer(
    method: string,
    body: Record<string, unknown>,
    req: IncomingMessage,
  ): Promise<{ ok: unknown } | { error: ProgrammedFailure }> {
    const bad = (description: string) => ({
      error: { status: 400, description: `Bad Request: ${description}` },
    });
    switch (method) {
      case 'getMe':
        return { ok: this.botInfo };
      case 'setWebhook':
        if (typeof body.url !== 'string') return bad('bad webhook: URL is missing');
        this.webhook = {
          url: body.url,
          ...(typeof body.secret_token === 'string' ? { secret_token: body.secret_token } : {}),
        };
        return { ok: true };
      case 'deleteWebhook':
        this.webhook = null;
        if (body.drop_pending_updates === true) this.queue.length = 0;
        return { ok: true };
      case 'getUpdates':
        if (this.webhook) {
          return {
            error: {
              status: 409,
              description: "Conflict: can't use getUpdates method while webhook is active",
            },
          };
        }
        return { ok: await this.getUpdates(body, req) };
      case 'sendMessage': {
        const text = typeof body.text === 'string' ? body.text : '';
        if (text.trim() === '') return bad('message text is empty');
        if (text.length > 4096) return bad('message is too long');
        const markupProblem = checkMarkup(body.reply_markup);
        if (markupProblem) return bad(markupProblem);
        return { ok: this.sentMessage(body, { text }) };
      }
      case 'sendPhoto':
      case 'sendDocument': {
        const field = method === 'sendPhoto' ? 'photo' : 'document';
        if (typeof body[field] !== 'string') return bad(`there is no ${field} in the request`);
        if (typeof body.caption === 'string' && body.caption.length > 1024)
          return bad('message caption is too long');
        const markupProblem = checkMarkup(body.reply_markup);
        if (markupProblem) return bad(markupProblem);
        return { ok: this.sentMessage(body, {}) };
      }
      case 'sendLocation':
        return { ok: this.sentMessage(body, {}) };
      case 'getFile': {
        const file = typeof body.file_id === 'string' ? this.files.get(body.file_id) : undefined;
        if (!file) return bad('invalid file_id');
        return {
          ok: {
            file_id: body.file_id,
            file_unique_id: `u-${body.file_id}`,
            file_size: file.bytes.length,
            file_path: file.path,
          },
        };
      }
      case 'sendChatAction':
        return { ok: true };
      case 'answerCallbackQuery':
        if (typeof body.callback_query_id !== 'string') return bad('query is too old or query ID is invalid');
        return { ok: true };
      default:
        return { error: { status: 404, description: 'Not Found: method not found' } };
    }
  }

  private sentMessage(body: Record<string, unknown>, extra: Record<string, unknown>) {
    return {
      message_id: this.nextMessageId++,
      chat: { id: body.chat_id, type: 'private' },
      date: Math.floor(Date.now() / 1000),
      ...extra,
    };
  }

  private async getUpdates(body: Record<string, unknown>, req: IncomingMessage): Promise<Update[]> {
    const offset = typeof body.offset === 'number' ? body.offset : 0;
    const limit = typeof body.limit === 'number' ? body.limit : 100;
    const timeoutSeconds = typeof body.timeout === 'number' ? body.timeout : 0;
    if (offset > this.confirmedOffset) this.confirmedOffset = offset;
    // Confirmed updates are forgotten, as Telegram forgets them.
    while (this.queue.length > 0 && this.queue[0]!.update_id < this.confirmedOffset) this.queue.shift();
    const pending = () => this.queue.filter((u) => u.update_id >= offset).slice(0, limit);
    if (pending().length > 0 || timeoutSeconds === 0) return pending();
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, timeoutSeconds * 1000);
      const waiters = this.waiters;
      function done() {
        clearTimeout(timer);
        waiters.delete(done);
        req.off('close', done);
        resolve();
      }
      waiters.add(done);
      // The client aborted (adapter stopped): stop waiting.
      req.on('close', done);
    });
    return pending();
  }
}

function checkMarkup(markup: unknown): string | null {
  if (markup === undefined) return null;
  const keyboard = (markup as { inline_keyboard?: unknown }).inline_keyboard;
  if (!Array.isArray(keyboard)) return 'reply markup must have inline_keyboard';
  for (const row of keyboard) {
    if (!Array.isArray(row)) return 'inline keyboard rows must be arrays';
    for (const button of row as Array<Record<string, unknown>>) {
      if (typeof button.text !== 'string' || button.text === '')
        return 'inline keyboard button text is empty';
      if (typeof button.callback_data === 'string') {
        const bytes = Buffer.byteLength(button.callback_data);
        if (bytes < 1 || bytes > 64) return 'BUTTON_DATA_INVALID';
      } else if (typeof button.url !== 'string') {
        return 'inline keyboard button needs callback_data or url';
      }
    }
  }
  return null;
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown> | null> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (text === '') return {};
  try {
    const value = JSON.parse(text) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent || res.destroyed) return;
  res.statusCode = status;
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify(body));
}
