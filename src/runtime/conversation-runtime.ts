/**
 * The runtime between channels and engine. `accept` records each platform event exactly once and resolves
 * after commit (adapters ack the platform then); processing runs afterwards, strictly in order per
 * conversation (in-process mutex + PostgreSQL advisory lock across instances) and in parallel across them.
 */

import type { ChannelAdapter, InboundSink } from '../channels/types.js';
import type { ActionRegistry } from '../engine/actions.js';
import type {
  InboundInterceptor,
  QuestionDetector,
  TurnEvent,
  TurnInput,
  TurnOutput,
} from '../engine/types.js';
import type { FlowSet } from '../flows/schema.js';
import { currentRequestId, newRequestId, withRequestId } from '../http/request-context.js';
import type { Logger } from '../logger.js';
import type { ChannelCapabilities, ChannelName, DeliveryReport, InboundMessage } from '../model/index.js';
import { applyDeliveryReport } from '../outbox/delivery-reports.js';
import { publishOutboxRows } from '../outbox/operations.js';
import { describeError } from '../outbox/retry-policy.js';
import { signalOutboxEnqueued } from '../outbox/signal.js';
import type { Store } from '../store/database.js';
import { newId } from '../store/ids.js';
import { getContact } from '../store/repositories/contacts.js';
import { getConversation, setConversationStatus } from '../store/repositories/conversations.js';
import {
  completeInboundEvent,
  conversationsWithPendingEvents,
  INTERNAL_NATIVE_ID_PREFIX,
  type InboundEventRecord,
  insertInboundEvent,
  oldestPendingInboundEvent,
} from '../store/repositories/inbound-events.js';
import type { LocalePolicy } from '../store/repositories/locale.js';
import { insertTranscriptMessage } from '../store/repositories/transcript.js';
import { type ConversationLock, noCrossInstanceLock, PostgresAdvisoryLock } from './conversation-lock.js';
import type { RuntimeEventBus } from './events.js';
import { recordInbound } from './inbox.js';
import { KeyedMutex, Semaphore } from './keyed-mutex.js';
import { commitTurn } from './turn-commit.js';
import { validateInbound } from './validate-inbound.js';

export interface ConversationRuntimeOptions {
  store: Store;
  logger: Logger;
  flows: () => FlowSet;
  actions: ActionRegistry;
  interceptors: () => readonly InboundInterceptor[];
  /** Tells new questions from failed answers at prompts (the FAQ feature's); without it only keywords digress. */
  questions?: QuestionDetector;
  runTurn: (input: TurnInput) => Promise<TurnOutput>;
  capabilitiesOf: (channel: ChannelName) => ChannelCapabilities;
  events: RuntimeEventBus;
  now?: () => Date;
  instanceId: string;
  /**
   * Conversations processed at once. On PostgreSQL each holds a pool client for its advisory lock, so keep
   * this below half the pool size. Default: 8 on SQLite, a quarter of the pool (at least 1) on PostgreSQL.
   */
  maxParallelConversations?: number;
  /** Wait before retrying a conversation whose processing hit a database error. */
  retryDelayMs?: number;
  /** Told of every newly recorded platform message after commit (pacing counts inbound on some channels). */
  onAccepted?: (message: InboundMessage) => void;
}

const FALLBACK_LOCALES: LocalePolicy = { supported: ['de', 'en'], fallback: 'de' };

export class ConversationRuntime implements InboundSink {
  readonly #o: ConversationRuntimeOptions;
  readonly #now: () => Date;
  readonly #log: Logger;
  readonly #mutex = new KeyedMutex();
  readonly #slots: Semaphore;
  readonly #lock: ConversationLock;
  /** Conversations with a drain running; `again` asks it to look once more for events that arrived meanwhile. */
  readonly #drains = new Map<string, { again: boolean; done: Promise<void> }>();
  readonly #retryTimers = new Set<NodeJS.Timeout>();
  #accepting = true;

  constructor(options: ConversationRuntimeOptions) {
    this.#o = options;
    this.#now = options.now ?? (() => new Date());
    this.#log = options.logger.child({ component: 'runtime', instanceId: options.instanceId });
    const pool = options.store.pgPool;
    this.#lock =
      options.store.dialect === 'postgres' && pool ? new PostgresAdvisoryLock(pool) : noCrossInstanceLock;
    const poolSize = pool?.options.max ?? 10;
    this.#slots = new Semaphore(
      options.maxParallelConversations ??
        (options.store.dialect === 'postgres' ? Math.max(1, Math.floor(poolSize / 4)) : 8),
    );
  }

  /** Records the event durably; resolves after commit. Processing follows without being awaited. */
  async accept(message: InboundMessage): Promise<'accepted' | 'duplicate'> {
    validateInbound(message);
    const now = this.#now();
    const result = await recordInbound(this.#o.store, message, {
      capabilities: this.#o.capabilitiesOf(message.channel),
      locales: this.#locales(),
      now,
      // The webhook's request id; events polled (Telegram getUpdates, WhatsApp Web) get their own here.
      requestId: currentRequestId() ?? newRequestId(),
    });
    if (result.kind === 'duplicate') return 'duplicate';
    this.#o.onAccepted?.(message);

    const { conversation } = result;
    this.#o.events.publish({
      type: 'message-recorded',
      conversationId: conversation.id,
      message: result.transcript,
    });
    if (result.reopened) {
      this.#o.events.publish({
        type: 'conversation-changed',
        conversationId: conversation.id,
        status: conversation.status,
        assignedAgentId: conversation.assignedAgentId,
        reason: 'reopened by a new message',
      });
    }
    if (result.releasedRows.length > 0) {
      publishOutboxRows(this.#o.events, result.releasedRows, 'queued', null);
      signalOutboxEnqueued();
    }
    void this.#schedule(conversation.id);
    return 'accepted';
  }

  acceptDeliveryReport(report: DeliveryReport): Promise<void> {
    return applyDeliveryReport(this.#o.store, this.#o.events, report).then(() => undefined);
  }

  /** Hands the conversation (back) to the bot and runs a flow in it, in line with its other events. */
  async startFlow(conversationId: string, flowId: string, stepId?: string): Promise<void> {
    const now = this.#now();
    const note = await this.#o.store.db.transaction().execute(async (trx) => {
      const conversation = await getConversation(trx, conversationId);
      if (!conversation) throw new Error(`conversation ${conversationId} does not exist`);
      await setConversationStatus(trx, conversationId, { status: 'bot', assignedAgentId: null }, now);
      await insertInboundEvent(
        trx,
        {
          channel: conversation.channel,
          nativeId: `${INTERNAL_NATIVE_ID_PREFIX}${newId(now.getTime())}`,
          contactId: conversation.contactId,
          conversationId,
          requestId: currentRequestId() ?? null,
          payload: {
            kind: 'internal',
            request: { kind: 'start-flow', flowId, ...(stepId ? { stepId } : {}) },
          },
          receivedAt: now,
        },
        now,
      );
      const message = await insertTranscriptMessage(
        trx,
        {
          conversationId,
          contactId: conversation.contactId,
          direction: 'internal',
          author: 'system',
          text: `Bot takes over: ${flowId}${stepId ? `.${stepId}` : ''}`,
          details: { kind: 'start-flow', flowId, ...(stepId ? { stepId } : {}) },
        },
        now,
      );
      return { message, changed: conversation.status !== 'bot' };
    });
    this.#o.events.publish({ type: 'message-recorded', conversationId, message: note.message });
    if (note.changed) {
      this.#o.events.publish({
        type: 'conversation-changed',
        conversationId,
        status: 'bot',
        assignedAgentId: null,
      });
    }
    void this.#schedule(conversationId);
  }

  /** Start-up: process every conversation left with pending events (a crash after the ack loses nothing). */
  async recoverPending(): Promise<number> {
    const ids = await conversationsWithPendingEvents(this.#o.store.db);
    if (ids.length > 0) this.#log.info({ conversations: ids.length }, 'recovering pending inbound events');
    for (const id of ids) void this.#schedule(id);
    return ids.length;
  }

  /** Resolves when no conversation is being processed (tests, shutdown). */
  async whenIdle(): Promise<void> {
    while (this.#drains.size > 0) {
      await Promise.allSettled([...this.#drains.values()].map((d) => d.done));
    }
  }

  /** Stops taking new turns and waits for the ones in flight. New events are still recorded by `accept`. */
  async stop(): Promise<void> {
    this.#accepting = false;
    for (const timer of this.#retryTimers) clearTimeout(timer);
    this.#retryTimers.clear();
    await this.whenIdle();
  }

  #locales(): LocalePolicy {
    try {
      const settings = this.#o.flows().settings;
      return { supported: settings.locales, fallback: settings.default_locale };
    } catch {
      return FALLBACK_LOCALES;
    }
  }

  #schedule(conversationId: string): Promise<void> {
    if (!this.#accepting) return Promise.resolve();
    const running = this.#drains.get(conversationId);
    if (running) {
      running.again = true;
      return running.done;
    }
    const entry = { again: false, done: Promise.resolve() };
    this.#drains.set(conversationId, entry);
    entry.done = (async () => {
      try {
        do {
          entry.again = false;
          await this.#slots.run(() =>
            this.#mutex.run(conversationId, () =>
              this.#lock.withLock(conversationId, () => this.#drain(conversationId)),
            ),
          );
        } while (entry.again && this.#accepting);
      } catch (error) {
        this.#log.error(
          { err: error, conversationId },
          'conversation processing stopped on a database error; retrying',
        );
        this.#retryLater(conversationId);
      } finally {
        this.#drains.delete(conversationId);
      }
    })();
    return entry.done;
  }

  #retryLater(conversationId: string): void {
    if (!this.#accepting) return;
    const timer = setTimeout(() => {
      this.#retryTimers.delete(timer);
      void this.#schedule(conversationId);
    }, this.#o.retryDelayMs ?? 5_000);
    timer.unref();
    this.#retryTimers.add(timer);
  }

  /** Handles the conversation's pending events oldest first until none is left. */
  async #drain(conversationId: string): Promise<void> {
    while (this.#accepting) {
      const event = await oldestPendingInboundEvent(this.#o.store.db, conversationId);
      if (!event) return;
      // The turn (and the outbox rows it queues) logs under the id of the request that recorded the event.
      await withRequestId(event.requestId, () => this.#process(event));
    }
  }

  async #process(event: InboundEventRecord): Promise<void> {
    const { store } = this.#o;
    const now = this.#now();
    const log = this.#log.child({
      conversationId: event.conversationId,
      channel: event.channel,
      inboundEventId: event.id,
    });
    const [contact, conversation] = await Promise.all([
      getContact(store.db, event.contactId),
      getConversation(store.db, event.conversationId),
    ]);
    if (!contact || !conversation) {
      await completeInboundEvent(
        store.db,
        event.id,
        { status: 'failed', error: 'contact or conversation was deleted' },
        now,
      );
      return;
    }

    let output: TurnOutput | null = null;
    let error: string | null = null;
    const ownedByPerson = conversation.status === 'queued' || conversation.status === 'agent';
    try {
      const input: TurnInput = {
        state: conversation.state,
        event: turnEventOf(event),
        contact,
        conversationId: conversation.id,
        channel: conversation.channel,
        capabilities: this.#o.capabilitiesOf(conversation.channel),
        flows: this.#o.flows(),
        actions: this.#o.actions,
        now,
        logger: log,
        ...(this.#o.questions ? { questions: this.#o.questions } : {}),
      };
      if (input.event.kind === 'message') output = await this.#intercept(input);
      // A person owns the conversation: the bot stays silent; the message is in the transcript for them.
      if (!output && !ownedByPerson) output = await this.#o.runTurn(input);
    } catch (caught) {
      error = describeError(caught);
      log.error({ err: caught }, 'turn failed; the contact gets an apology');
    }

    const result = await commitTurn(store, { eventId: event.id, contact, conversation, output, error }, now);
    if (!result.committed) {
      log.warn('inbound event was handled elsewhere meanwhile; this result was discarded');
      return;
    }
    for (const message of result.transcript) {
      this.#o.events.publish({ type: 'message-recorded', conversationId: conversation.id, message });
    }
    if (result.statusChange) {
      this.#o.events.publish({
        type: 'conversation-changed',
        conversationId: conversation.id,
        ...result.statusChange,
      });
    }
    for (const outboxId of result.outboxIds) {
      this.#o.events.publish({
        type: 'outbox-changed',
        outboxId,
        conversationId: conversation.id,
        contactId: contact.id,
        channel: conversation.channel,
        status: 'queued',
      });
    }
    if (result.outboxIds.length > 0) signalOutboxEnqueued();
    log.debug(
      { queued: result.outboxIds.length, failed: error !== null, ms: Date.now() - now.getTime() },
      'turn done',
    );
  }

  /** Interceptors in order; the first that answers ends the turn. */
  async #intercept(input: TurnInput): Promise<TurnOutput | null> {
    for (const interceptor of this.#o.interceptors()) {
      const output = await interceptor.intercept(input);
      if (output) return output;
    }
    return null;
  }
}

function turnEventOf(event: InboundEventRecord): TurnEvent {
  if (event.payload.kind === 'internal') {
    const { flowId, stepId } = event.payload.request;
    return { kind: 'start-flow', flowId, ...(stepId ? { stepId } : {}) };
  }
  const m = event.payload.message;
  return {
    kind: 'message',
    ...(m.text !== undefined ? { text: m.text } : {}),
    ...(m.buttonPayload !== undefined ? { buttonPayload: m.buttonPayload } : {}),
    ...(m.startPayload !== undefined ? { startPayload: m.startPayload } : {}),
    ...(m.isStart ? { isStart: true } : {}),
    ...(m.media ? { media: { kind: m.media.kind } } : {}),
  };
}

/** Capabilities by channel from the running adapters, plain text for anything else (CLI, tests). */
export function capabilitiesFromAdapters(
  adapters: ReadonlyMap<ChannelName, ChannelAdapter>,
  fallback: ChannelCapabilities,
): (channel: ChannelName) => ChannelCapabilities {
  return (channel) => adapters.get(channel)?.capabilities ?? fallback;
}
