/**
 * The outbox worker: claims due rows with a lease, runs the send guards, paces per channel and chat, sends
 * through the channel adapter and records the outcome. Every send goes through `#deliver`, so no flow or
 * feature can skip the guards. Rows are never lost: a crash leaves them `queued` or `sending` with a lease
 * that expires, after which any instance reclaims them.
 */
import { setMaxListeners } from 'node:events';
import type { ChannelAdapter } from '../channels/types.js';
import { withRequestId } from '../http/request-context.js';
import type { Logger } from '../logger.js';
import type { ChannelName, Contact, Conversation, DeliveryReport, OutboundMessage } from '../model/index.js';
import type { RuntimeEventBus } from '../runtime/events.js';
import { Semaphore } from '../runtime/keyed-mutex.js';
import type { Store } from '../store/database.js';
import { fromJson } from '../store/json.js';
import { getContact } from '../store/repositories/contacts.js';
import { findConversationOfContact, getConversation } from '../store/repositories/conversations.js';
import { claimDueOutboxRows, reclaimOwnStaleLeases, releaseLeases } from './claim.js';
import { applyDeliveryReport } from './delivery-reports.js';
import { cancelOutboxBySource, type RetryOutcome, retryOutboxRow } from './operations.js';
import { OutcomeRecorder } from './outcome-recorder.js';
import { OutboxPacer } from './pacing.js';
import { DEFAULT_PACING_POLICY, effectivePacing, type PacingPolicy } from './pacing-policy.js';
import { decideAfterFailure, describeError } from './retry-policy.js';
import { detailOf, type OutboxRow, outboxRowView, type SendOutcome } from './rows.js';
import { onOutboxEnqueued } from './signal.js';
import { splitOversizedRow } from './split-oversized.js';
import type { GuardVerdict, SendGuard } from './types.js';
import { WindowGuard } from './window-guard.js';

export interface OutboxWorkerOptions {
  store: Store;
  logger: Logger;
  adapters: ReadonlyMap<ChannelName, ChannelAdapter>;
  /** Feature guards (consent, …), run after the built-in window guard. Read before every send. */
  guards: () => readonly SendGuard[];
  events: RuntimeEventBus;
  instanceId: string;
  now?: () => Date;
  /** How often to look for due rows when nothing in this process signalled. */
  pollIntervalMs: number;
  /** Transient failures before a row is `failed`. */
  maxAttempts?: number;
  /** How long a claimed row is ours; a crashed instance's rows are reclaimed after it. */
  leaseMs?: number;
  /** Rows claimed and handled at once across all chats (most of them wait for a pacing slot). */
  maxInFlight?: number;
  /**
   * Platform calls in flight at once per channel (default 1). Each is recorded before the next starts, so
   * this is also the most messages per channel a crash (kill -9, power loss) can send twice.
   */
  sendConcurrency?: number;
  /** For tests of the backoff jitter. */
  random?: () => number;
  /** Configured rates per channel, or pacing off; default: each adapter's own pacing. */
  pacing?: PacingPolicy;
}

/** A send slot further away than this share of the lease goes back to the queue instead of waiting in memory. */
const MAX_PACING_WAIT_SHARE = 1 / 3;
/** Rows enqueued inside a transaction become visible at commit; look once more this soon after a signal. */
const SIGNAL_RECHECK_MS = 25;

export class OutboxWorker {
  readonly #options: Required<Omit<OutboxWorkerOptions, 'now' | 'random' | 'pacing'>> &
    Pick<OutboxWorkerOptions, 'random'>;
  readonly #pacing: PacingPolicy;
  readonly #now: () => Date;
  readonly #log: Logger;
  readonly #pacer: OutboxPacer;
  readonly #windowGuard: WindowGuard;
  readonly #recorder: OutcomeRecorder;
  readonly #sendSlotsByChannel = new Map<ChannelName, Semaphore>();
  readonly #inFlight = new Map<string, Promise<void>>();
  readonly #pacingWaits = new Set<() => void>();
  /** Rows whose platform call has begun: from here on only their outcome is retried, never the send. */
  readonly #sendStarted = new Set<string>();
  #running = false;
  #loop: Promise<void> | null = null;
  #wake: (() => void) | null = null;
  #wakeRequested = false;
  #unsubscribeSignal: (() => void) | null = null;
  /** Aborted by stop(): sends waiting for their channel's pacing grant give their rows back. */
  #stopping = new AbortController();

  constructor(options: OutboxWorkerOptions) {
    const leaseMs = options.leaseMs ?? 60_000;
    this.#options = {
      ...options,
      maxAttempts: options.maxAttempts ?? 8,
      leaseMs,
      maxInFlight: options.maxInFlight ?? 32,
      sendConcurrency: options.sendConcurrency ?? 1,
    };
    this.#now = options.now ?? (() => new Date());
    this.#pacing = options.pacing ?? DEFAULT_PACING_POLICY;
    this.#pacer = new OutboxPacer(options.store);
    this.#log = options.logger.child({ component: 'outbox', instanceId: options.instanceId });
    this.#windowGuard = new WindowGuard((channel) => options.adapters.get(channel)?.capabilities);
    this.#recorder = new OutcomeRecorder({
      store: options.store,
      instanceId: options.instanceId,
      logger: this.#log,
      now: () => this.#now().getTime(),
    });
  }

  get running(): boolean {
    return this.#running;
  }

  /** Sends in flight right now (for /metrics and tests). */
  get inFlight(): number {
    return this.#inFlight.size;
  }

  /** Outcomes known in this process but not yet written (the database refused them so far). */
  get unrecorded(): number {
    return this.#recorder.pendingCount;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#stopping = new AbortController();
    // Every row waiting for a pacing grant listens for the stop (up to maxInFlight at once): not a leak.
    setMaxListeners(this.#options.maxInFlight + 8, this.#stopping.signal);
    this.#unsubscribeSignal = onOutboxEnqueued(() => {
      this.#requestWake();
      setTimeout(() => this.#requestWake(), SIGNAL_RECHECK_MS).unref();
    });
    this.#loop = this.#run();
  }

  /** Stops claiming, finishes sends in flight, gives rows waiting for a pacing slot back to the queue. */
  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    this.#unsubscribeSignal?.();
    this.#requestWake();
    this.#stopping.abort();
    for (const abort of [...this.#pacingWaits]) abort();
    await this.#loop;
    await Promise.allSettled([...this.#inFlight.values()]);
    await this.#recorder.stop();
  }

  /** Claims and sends one batch and waits for it; for tests and `plausch outbox flush`. Returns rows claimed. */
  async runOnce(): Promise<number> {
    const claimed = await this.#claimAndDispatch();
    await Promise.allSettled([...this.#inFlight.values()]);
    return claimed;
  }

  /**
   * An inbound message arrived on a channel whose platform counts it against the send rate (WhatsApp Cloud):
   * it takes a slot of the channel's shared schedule.
   */
  async countInbound(channel: ChannelName): Promise<void> {
    const adapter = this.#options.adapters.get(channel);
    if (!adapter) return;
    const pacing = effectivePacing(this.#pacing, channel, adapter.pacing);
    if (pacing.countsInbound) await this.#pacer.count(channel, pacing, this.#now().getTime());
  }

  acceptDeliveryReport(report: DeliveryReport): Promise<number> {
    return applyDeliveryReport(this.#options.store, this.#options.events, report);
  }

  retryOutboxRow(id: string): Promise<RetryOutcome> {
    return retryOutboxRow(this.#options.store, this.#options.events, id, this.#now());
  }

  cancelOutboxBySource(sourceId: string, reason?: string): Promise<number> {
    return cancelOutboxBySource(this.#options.store, this.#options.events, sourceId, reason);
  }

  async #run(): Promise<void> {
    try {
      const reclaimed = await reclaimOwnStaleLeases(
        this.#options.store,
        this.#options.instanceId,
        this.#now().getTime(),
      );
      if (reclaimed > 0) {
        this.#log.warn(
          { rows: reclaimed },
          'rows this instance was sending when it last stopped without a shutdown are queued again (some may arrive twice)',
        );
      }
    } catch (error) {
      this.#log.error({ err: error }, 'reclaiming rows of an earlier run failed; their leases will expire');
    }
    while (this.#running) {
      let claimed = 0;
      try {
        claimed = await this.#claimAndDispatch();
      } catch (error) {
        // The database may be briefly unreachable; keep the loop alive and try again at the next poll.
        this.#log.error({ err: error }, 'claiming outbox rows failed');
      }
      if (!this.#running) break;
      const full = this.#inFlight.size >= this.#options.maxInFlight;
      // A full batch likely left more due rows behind: go again at once (after yielding) unless saturated.
      if (claimed > 0 && !full) {
        await new Promise((resolve) => setImmediate(resolve));
        continue;
      }
      await this.#sleep(this.#options.pollIntervalMs);
    }
  }

  async #claimAndDispatch(): Promise<number> {
    const capacity = this.#options.maxInFlight - this.#inFlight.size;
    if (capacity <= 0) return 0;
    // A channel another instance runs (WhatsApp Web on one instance per cluster) is that instance's to send.
    const skipChannels = [...this.#options.adapters.values()]
      .filter((adapter) => adapter.sendsHere?.() === false)
      .map((adapter) => adapter.name);
    const rows = await claimDueOutboxRows(this.#options.store, {
      instanceId: this.#options.instanceId,
      now: this.#now().getTime(),
      leaseMs: this.#options.leaseMs,
      limit: capacity,
      skipChannels,
    });
    for (const row of rows) {
      // Reclaimed after its lease ran out while its outcome waits to be written: it was sent already. The
      // claim renewed our lease, so the pending write still matches; never send it again.
      if (this.#recorder.isPending(row.id) || this.#inFlight.has(row.id)) continue;
      const task = withRequestId(row.request_id, () => this.#deliver(row))
        .catch((error) => {
          this.#log.error({ err: error, outboxId: row.id }, 'outbox delivery crashed');
          // Failed before reaching the platform (the database went away while reading the contact or the
          // guards): queue it again at once instead of leaving it leased, unsent, until the lease runs out.
          if (!this.#sendStarted.has(row.id)) this.#giveBack(row.id);
        })
        .finally(() => this.#sendStarted.delete(row.id))
        .finally(() => {
          this.#inFlight.delete(row.id);
          // A finished send may free its chat for the next row.
          this.#requestWake();
        });
      this.#inFlight.set(row.id, task);
    }
    return rows.length;
  }

  /** The one path every send takes: guards → pacing → adapter → recorded outcome. */
  async #deliver(row: OutboxRow): Promise<void> {
    const log = this.#log.child({
      outboxId: row.id,
      channel: row.channel,
      conversationId: row.conversation_id,
    });
    const channel = row.channel as ChannelName;
    const adapter = this.#options.adapters.get(channel);
    if (!adapter) {
      await this.#finish(
        row,
        {
          status: 'held',
          heldBy: 'no-adapter',
          reason: `channel ${row.channel} is not enabled on this instance`,
        },
        log,
      );
      return;
    }
    const contact = await getContact(this.#options.store.db, row.contact_id);
    if (!contact) {
      await this.#finish(row, { status: 'cancelled', reason: 'the contact no longer exists' }, log);
      return;
    }
    const conversation = row.conversation_id
      ? await getConversation(this.#options.store.db, row.conversation_id)
      : await findConversationOfContact(this.#options.store.db, contact.id);

    let message = fromJson<OutboundMessage>(row.message, {});
    const verdict = await this.#runGuards(row, contact, conversation).catch((error: unknown) => error);
    if (verdict instanceof Error || !isVerdict(verdict)) {
      // A guard that cannot decide must not let the message through: retry later like a transient failure.
      const decision = decideAfterFailure(
        new Error(`send guard failed: ${describeError(verdict)}`),
        row,
        this.#failureOptions(),
      );
      await this.#finish(row, decision.outcome, log);
      return;
    }
    if (verdict.verdict.action === 'hold') {
      await this.#finish(row, { status: 'held', heldBy: verdict.guard, reason: verdict.verdict.reason }, log);
      return;
    }
    if (verdict.verdict.action === 'cancel') {
      await this.#finish(
        row,
        { status: 'cancelled', reason: `${verdict.guard}: ${verdict.verdict.reason}` },
        log,
      );
      return;
    }
    if (verdict.verdict.action === 'send-as') message = verdict.verdict.message;
    message = await splitOversizedRow(
      this.#options.store,
      row,
      message,
      adapter.capabilities.maxTextLength,
      this.#now().getTime(),
    );

    const chatKey = `${row.channel}:${row.contact_id}`;
    const maxWait = this.#options.leaseMs * MAX_PACING_WAIT_SHARE;
    const pacing = effectivePacing(this.#pacing, channel, adapter.pacing);
    const slot = this.#pacer.reserve(channel, chatKey, pacing, this.#now().getTime(), maxWait);
    if (!slot.reserved) {
      await this.#finish(
        row,
        {
          status: 'queued',
          nextAttemptAt: this.#now().getTime() + slot.waitMs,
          attempts: row.attempts,
          error: null,
        },
        log,
      );
      return;
    }
    const mayGo =
      (slot.waitMs <= 0 || (await this.#pacingWait(slot.waitMs))) &&
      (await this.#pacer.acquire(channel, pacing, this.#stopping.signal)) !== null;
    if (!mayGo) {
      // Stopping: give the row back untouched.
      await releaseLeases(this.#options.store, this.#options.instanceId, [row.id], this.#now().getTime());
      return;
    }

    // Sends of one channel go out at most `sendConcurrency` at a time, each recorded before the next
    // starts: that is the most a crash between the platform's accept and our commit can send twice.
    await this.#sendSlots(channel).run(async () => {
      this.#sendStarted.add(row.id);
      let outcome: SendOutcome;
      try {
        const result = await withTimeout(
          adapter.send({ contact, conversationId: row.conversation_id }, message),
          this.#options.leaseMs / 2,
          `send did not finish within ${Math.round(this.#options.leaseMs / 2000)} s`,
        );
        outcome = { status: 'sent', nativeMessageId: result.nativeMessageId };
        log.debug({ nativeMessageId: result.nativeMessageId }, 'sent');
      } catch (error) {
        const decision = decideAfterFailure(error, row, this.#failureOptions());
        if (decision.pause) {
          await this.#pacer
            .pause(channel, chatKey, decision.pause.until, decision.pause.scope)
            .catch((pauseError: unknown) => log.warn({ err: pauseError }, 'could not record the pause'));
        }
        outcome = decision.outcome;
        log.warn({ err: error, attempts: row.attempts, next: outcome.status }, 'send failed');
      }
      await this.#finish(row, outcome, log);
    });
  }

  /**
   * Hands a claimed, unsent row back to the queue; retried (the database may still be down) until it works
   * or the lease would have expired anyway. Only rows still leased to this instance and `sending` change.
   */
  #giveBack(id: string): void {
    const giveUpAt = Date.now() + this.#options.leaseMs;
    const attempt = (delayMs: number) => {
      const timer = setTimeout(() => {
        releaseLeases(this.#options.store, this.#options.instanceId, [id], this.#now().getTime()).then(
          () => this.#requestWake(),
          () => {
            if (Date.now() + delayMs < giveUpAt) attempt(Math.min(delayMs * 2, 5_000));
          },
        );
      }, delayMs);
      timer.unref();
    };
    attempt(100);
  }

  #sendSlots(channel: ChannelName): Semaphore {
    let slots = this.#sendSlotsByChannel.get(channel);
    if (!slots) {
      slots = new Semaphore(this.#options.sendConcurrency);
      this.#sendSlotsByChannel.set(channel, slots);
    }
    return slots;
  }

  async #runGuards(
    row: OutboxRow,
    contact: Contact,
    conversation: Conversation | null,
  ): Promise<{ guard: string; verdict: GuardVerdict }> {
    const view = outboxRowView(row);
    const context = { contact, conversation, now: this.#now() };
    let substituted: GuardVerdict | null = null;
    for (const guard of [this.#windowGuard, ...this.#options.guards()]) {
      const verdict = await guard.check(
        substituted?.action === 'send-as' ? { ...view, message: substituted.message } : view,
        context,
      );
      if (verdict.action === 'hold' || verdict.action === 'cancel') return { guard: guard.name, verdict };
      // The first substitution wins; later guards judge the substituted message.
      if (verdict.action === 'send-as' && !substituted) substituted = verdict;
    }
    return { guard: substituted ? 'window' : '', verdict: substituted ?? { action: 'send' } };
  }

  async #finish(row: OutboxRow, outcome: SendOutcome, log: Logger): Promise<void> {
    const stillOurs = await this.#recorder.record(row, outcome);
    if (!stillOurs) {
      log.warn(
        { outcome: outcome.status },
        'outbox lease lost before the outcome was recorded; another instance owns the row',
      );
      return;
    }
    if (outcome.status === 'failed') log.error({ error: outcome.error }, 'outbox row failed');
    this.#options.events.publish({
      type: 'outbox-changed',
      outboxId: row.id,
      conversationId: row.conversation_id,
      contactId: row.contact_id,
      channel: row.channel as ChannelName,
      status: outcome.status,
      detail: detailOf(outcome),
    });
  }

  #failureOptions() {
    return {
      now: this.#now().getTime(),
      maxAttempts: this.#options.maxAttempts,
      ...(this.#options.random ? { random: this.#options.random } : {}),
    };
  }

  #requestWake(): void {
    this.#wakeRequested = true;
    this.#wake?.();
  }

  #sleep(ms: number): Promise<void> {
    if (this.#wakeRequested) {
      this.#wakeRequested = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const self = this;
      function done() {
        clearTimeout(timer);
        self.#wake = null;
        self.#wakeRequested = false;
        resolve();
      }
      this.#wake = done;
    });
  }

  /** Waits for a pacing slot; resolves false if the worker stops meanwhile. */
  #pacingWait(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const abort = () => {
        clearTimeout(timer);
        this.#pacingWaits.delete(abort);
        resolve(false);
      };
      const timer = setTimeout(() => {
        this.#pacingWaits.delete(abort);
        resolve(true);
      }, ms);
      this.#pacingWaits.add(abort);
    });
  }
}

function isVerdict(value: unknown): value is { guard: string; verdict: GuardVerdict } {
  return typeof value === 'object' && value !== null && 'verdict' in value;
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(message)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
