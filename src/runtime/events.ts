/**
 * Live events of the runtime for the console: transcript lines, conversation ownership, outbox statuses.
 * `EventPublisher` is the pluggable seam: in-process here; a PostgreSQL LISTEN/NOTIFY (or Redis) publisher
 * can fan events out across instances later without the runtime changing.
 */
import type { ChannelName, ConversationStatus, DeliveryStatus } from '../model/index.js';
import type { TranscriptMessage } from '../store/repositories/mapping.js';

export type RuntimeEvent =
  | { type: 'message-recorded'; conversationId: string; message: TranscriptMessage }
  | {
      type: 'conversation-changed';
      conversationId: string;
      status: ConversationStatus;
      assignedAgentId: string | null;
      /** Why it changed, e.g. the handoff reason; for the console's notification. */
      reason?: string;
    }
  | {
      type: 'outbox-changed';
      outboxId: string;
      conversationId: string | null;
      contactId: string;
      channel: ChannelName;
      status: DeliveryStatus;
      /** The error of a failure or the reason of a hold/cancel. */
      detail?: string | null;
    };

export type RuntimeEventListener = (event: RuntimeEvent) => void;

export interface EventPublisher {
  /** Never throws; listeners' failures are theirs to report. */
  publish(event: RuntimeEvent): void;
  /** Returns the unsubscribe function. */
  subscribe(listener: RuntimeEventListener): () => void;
}

/** What the runtime and the outbox publish to. */
export type RuntimeEventBus = EventPublisher;

export class InProcessEventBus implements EventPublisher {
  readonly #listeners = new Set<RuntimeEventListener>();

  constructor(private readonly onListenerError: (error: unknown, event: RuntimeEvent) => void = () => {}) {}

  publish(event: RuntimeEvent): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(event);
      } catch (error) {
        this.onListenerError(error, event);
      }
    }
  }

  subscribe(listener: RuntimeEventListener): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }
}
