/**
 * Records the outcome of each send the moment it is known, on the store's fast lane (`Store.writeNow`), not
 * behind the queue of other writes: the shorter the time between the platform's accept and our commit,
 * the fewer messages a crash can send twice (see docs/delivery.md, "The honest limit").
 *
 * When the write fails (database briefly unreachable, file locked), the outcome stays in memory and is
 * retried with a capped backoff. A `sent` outcome is retried for as long as the process lives: the
 * process knows the platform took the message, so it must never send it again — the worker skips rows
 * whose outcome is still waiting here, even when it reclaims them after their lease ran out.
 */
import type { Logger } from '../logger.js';
import type { Store } from '../store/database.js';
import { withRuntimeTables } from '../store/repositories/tables.js';
import { type OutboxRow, recordOutcomeQuery, type SendOutcome } from './rows.js';

export interface OutcomeRecorderOptions {
  store: Store;
  instanceId: string;
  logger: Logger;
  now: () => number;
  /** First retry after a failed write; doubles up to `maxBackoffMs`. */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
}

interface Pending {
  row: OutboxRow;
  outcome: SendOutcome;
  recordedAt: number;
  attempts: number;
  settled: Promise<boolean>;
}

export class OutcomeRecorder {
  readonly #o: Required<OutcomeRecorderOptions>;
  readonly #pending = new Map<string, Pending>();
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #wakers = new Set<() => void>();
  #stopping = false;

  constructor(options: OutcomeRecorderOptions) {
    this.#o = { initialBackoffMs: 50, maxBackoffMs: 2_000, ...options };
  }

  /** Rows whose outcome is known here but not yet on disk: never send them again. */
  isPending(outboxId: string): boolean {
    return this.#pending.has(outboxId);
  }

  get pendingCount(): number {
    return this.#pending.size;
  }

  /**
   * Writes the outcome; resolves true when written for this row, false when the row was no longer ours
   * to change (lease lost, or already past sending). Rejects only if stopped before it could be written.
   */
  record(row: OutboxRow, outcome: SendOutcome): Promise<boolean> {
    const entry: Pending = {
      row,
      outcome,
      recordedAt: this.#o.now(),
      attempts: 0,
      settled: Promise.resolve(false),
    };
    entry.settled = this.#write(entry);
    return entry.settled;
  }

  /** Waits up to `graceMs` for outstanding writes, then gives up on outcomes other than `sent`. */
  async stop(graceMs = 5_000): Promise<void> {
    const deadline = Date.now() + graceMs;
    while (this.#pending.size > 0 && Date.now() < deadline) {
      for (const wake of [...this.#wakers]) wake();
      await Promise.race([
        Promise.allSettled([...this.#pending.values()].map((p) => p.settled)),
        new Promise((resolve) => setTimeout(resolve, Math.max(1, deadline - Date.now())).unref()),
      ]);
    }
    this.#stopping = true;
    for (const wake of [...this.#wakers]) wake();
    if (this.#pending.size > 0) {
      const sent = [...this.#pending.values()].filter((p) => p.outcome.status === 'sent');
      this.#o.logger.error(
        { rows: [...this.#pending.keys()], sentButUnrecorded: sent.map((p) => p.row.id) },
        'stopping with outbox outcomes not yet written; rows sent but unrecorded may go out again after their lease',
      );
    }
  }

  async #write(entry: Pending): Promise<boolean> {
    const id = entry.row.id;
    this.#pending.set(id, entry);
    try {
      let backoff = this.#o.initialBackoffMs;
      for (;;) {
        entry.attempts += 1;
        try {
          const query = recordOutcomeQuery(
            withRuntimeTables(this.#o.store.db),
            entry.row,
            this.#o.instanceId,
            entry.outcome,
            entry.recordedAt,
          ).compile();
          const changed = await this.#o.store.writeNow(query);
          if (entry.attempts > 1) {
            this.#o.logger.info(
              { outboxId: id, attempts: entry.attempts, outcome: entry.outcome.status },
              'outbox outcome recorded after retries',
            );
          }
          return changed === 1;
        } catch (error) {
          if (this.#stopping) throw error;
          const level = entry.attempts === 1 || entry.attempts % 10 === 0 ? 'error' : 'debug';
          this.#o.logger[level](
            { err: error, outboxId: id, attempts: entry.attempts, outcome: entry.outcome.status },
            entry.outcome.status === 'sent'
              ? 'recording a sent message failed; retrying the record, never the send'
              : 'recording an outbox outcome failed; retrying',
          );
          await this.#sleep(backoff);
          backoff = Math.min(backoff * 2, this.#o.maxBackoffMs);
        }
      }
    } finally {
      this.#pending.delete(id);
    }
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#timers.delete(timer);
        this.#wakers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#timers.add(timer);
      this.#wakers.add(done);
    });
  }
}
