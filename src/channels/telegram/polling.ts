/**
 * Long polling with an honest offset: a batch is confirmed to Telegram (by asking for offset = last id + 1)
 * only after every update in it was recorded. An update whose recording fails is retried with backoff and
 * holds back the batch; on stop nothing is confirmed, so a restart gets the batch again (the sink dedupes).
 * Telegraf's `launch()` confirms the offset on stop even when handling failed, so it is not used.
 */
import type { Logger } from '../../logger.js';
import type { InboundSink } from '../types.js';
import type { TelegramUpdateHandler } from './update-handler.js';

export type BotApiCall = (
  method: string,
  payload: Record<string, unknown>,
  signal?: AbortSignal,
) => Promise<unknown>;

export interface TelegramPollerOptions {
  callApi: BotApiCall;
  handleUpdate: TelegramUpdateHandler;
  sink: InboundSink;
  logger: Logger;
  /** Seconds Telegram holds a getUpdates call open (default 50). */
  timeoutSeconds?: number;
  allowedUpdates?: string[];
  /** Backoff after failures, doubled up to `maxRetryDelayMs` (defaults 1 s and 60 s). */
  retryDelayMs?: number;
  maxRetryDelayMs?: number;
  onStatus?: (status: { state: 'ready' | 'degraded' | 'down'; detail?: string }) => void;
}

interface ErrorLike {
  code?: unknown;
  parameters?: { retry_after?: unknown };
  name?: unknown;
}

export class TelegramPoller {
  private readonly controller = new AbortController();
  private offset = 0;
  private loop: Promise<void> | null = null;

  constructor(private readonly options: TelegramPollerOptions) {}

  /** Starts the loop in the background; `stop()` ends it. */
  start(): void {
    if (this.loop) return;
    this.loop = this.run().catch((error: unknown) => {
      this.options.logger.error({ err: error }, 'polling loop ended unexpectedly');
      this.options.onStatus?.({ state: 'down', detail: 'polling stopped after an unexpected error' });
    });
  }

  async stop(): Promise<void> {
    this.controller.abort();
    await this.loop;
  }

  /** The offset the next getUpdates call confirms (last recorded update id + 1). */
  get confirmedOffset(): number {
    return this.offset;
  }

  private get stopped(): boolean {
    return this.controller.signal.aborted;
  }

  private async run(): Promise<void> {
    const { logger } = this.options;
    let failures = 0;
    while (!this.stopped) {
      let updates: unknown;
      try {
        updates = await this.options.callApi(
          'getUpdates',
          {
            offset: this.offset,
            timeout: this.options.timeoutSeconds ?? 50,
            allowed_updates: this.options.allowedUpdates ?? ['message', 'callback_query'],
          },
          this.controller.signal,
        );
        failures = 0;
        this.options.onStatus?.({ state: 'ready' });
      } catch (error) {
        if (this.stopped) return;
        failures += 1;
        const e = error as ErrorLike;
        const code = typeof e.code === 'number' ? e.code : undefined;
        const retryAfter =
          typeof e.parameters?.retry_after === 'number' ? e.parameters.retry_after * 1000 : undefined;
        const detail =
          code === 401
            ? 'bot token rejected (401)'
            : code === 409
              ? 'another process polls this bot or a webhook is set (409)'
              : `getUpdates failing: ${error instanceof Error ? error.message : String(error)}`;
        // A wrong token or a conflict needs an operator; keep trying slowly so a fix is picked up.
        this.options.onStatus?.({ state: code === 401 || code === 409 ? 'down' : 'degraded', detail });
        logger.warn({ err: error, failures }, detail);
        await this.sleep(retryAfter ?? this.backoff(failures));
        continue;
      }
      if (!Array.isArray(updates)) {
        logger.error({}, 'getUpdates returned something other than a list');
        await this.sleep(this.backoff(++failures));
        continue;
      }
      const recorded = await this.recordBatch(updates);
      if (!recorded) return;
    }
  }

  /** Records the batch in order; returns false when stopped before the batch was fully recorded. */
  private async recordBatch(updates: unknown[]): Promise<boolean> {
    for (const update of updates) {
      const updateId = (update as { update_id?: unknown }).update_id;
      let attempts = 0;
      for (;;) {
        if (this.stopped) return false;
        try {
          await this.options.handleUpdate(update, this.options.sink);
          break;
        } catch (error) {
          if (error instanceof Error && error.name === 'InvalidTelegramUpdateError') {
            // Telegram will not send it differently next time; skipping it is the only way forward.
            this.options.logger.error({ err: error, updateId }, 'skipping an update that is not valid');
            break;
          }
          attempts += 1;
          this.options.onStatus?.({ state: 'degraded', detail: 'recording updates fails; retrying' });
          this.options.logger.error(
            { err: error, updateId, attempts },
            'recording an update failed; retrying',
          );
          await this.sleep(this.backoff(attempts));
        }
      }
      if (typeof updateId === 'number' && updateId + 1 > this.offset) this.offset = updateId + 1;
    }
    return true;
  }

  private backoff(failures: number): number {
    const base = this.options.retryDelayMs ?? 1000;
    const max = this.options.maxRetryDelayMs ?? 60_000;
    return Math.min(max, base * 2 ** Math.max(0, failures - 1));
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (this.stopped) return resolve();
      const timer = setTimeout(done, ms);
      const signal = this.controller.signal;
      function done() {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      }
      signal.addEventListener('abort', done);
    });
  }
}
