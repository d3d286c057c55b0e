/** What one engine turn takes and gives: (state, event, flows, clock) → (new state, messages, effects). */
import type { FlowSet } from '../flows/schema.js';
import type { Logger } from '../logger.js';
import type {
  ChannelCapabilities,
  ChannelName,
  Contact,
  ConversationState,
  MediaKind,
  OutboundMessage,
} from '../model/index.js';
import type { ActionRegistry, EngineEffect } from './actions.js';

/** What happened that the engine reacts to. */
export type TurnEvent =
  /** The customer wrote or pressed something. */
  | {
      kind: 'message';
      text?: string;
      buttonPayload?: string;
      startPayload?: string;
      isStart?: boolean;
      /** A photo, voice note, video, file, sticker or location the customer sent (`text` is its caption). */
      media?: { kind: MediaKind };
    }
  /** Start a flow (or a step of it) without a customer message: agent hands back, broadcast button, scheduler. */
  | { kind: 'start-flow'; flowId: string; stepId?: string };

export interface TurnInput {
  state: ConversationState;
  event: TurnEvent;
  contact: Contact;
  conversationId: string;
  channel: ChannelName;
  capabilities: ChannelCapabilities;
  flows: FlowSet;
  actions: ActionRegistry;
  now: Date;
  /** Where the engine reports broken flows and failing actions; silent when absent. */
  logger?: Logger;
  /**
   * Tells a new question from a failed answer at a prompt (digressions). Absent: only other flows' keywords
   * digress.
   */
  questions?: QuestionDetector;
}

/**
 * "Is this message a question the knowledge base answers confidently?" The engine asks it only when a
 * message did not answer the prompt it waits at; the application wires it to the FAQ matcher.
 */
export interface QuestionDetector {
  isConfidentQuestion(text: string, context: { locale: string }): boolean | Promise<boolean>;
}

export interface TurnOutput {
  state: ConversationState;
  messages: OutboundMessage[];
  effects: EngineEffect[];
  /** Steps visited in order as `flow.step`, for conversation tests, logs and the console. */
  trace: string[];
}

/**
 * Hooks that see every inbound message before the engine (unsubscribe words, "I want a person", referral
 * codes). An interceptor that returns a result ends the turn with it; the engine does not run.
 */
export interface InboundInterceptor {
  readonly name: string;
  intercept(input: TurnInput): Promise<TurnOutput | null>;
}
