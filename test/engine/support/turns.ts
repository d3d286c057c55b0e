/** Helpers for engine tests: a contact, a turn input and a little conversation driver. */
import { ActionRegistry } from '../../../src/engine/actions.js';
import { registerCoreActions } from '../../../src/engine/core-actions.js';
import { runTurn } from '../../../src/engine/run-turn.js';
import type { TurnEvent, TurnInput, TurnOutput } from '../../../src/engine/types.js';
import type { FlowSet } from '../../../src/flows/schema.js';
import {
  type Contact,
  type ConversationState,
  EMPTY_CONVERSATION_STATE,
  PLAIN_TEXT_CAPABILITIES,
} from '../../../src/model/index.js';

export const NOW = new Date('2026-06-15T10:00:00+02:00');

export function testContact(overrides: Partial<Contact> = {}): Contact {
  return {
    id: 'c1',
    channel: 'telegram',
    channelContactId: '4711',
    displayName: 'Anna Schmidt',
    firstName: 'Anna',
    lastName: 'Schmidt',
    username: null,
    phone: null,
    locale: 'de',
    tags: [],
    attributes: {},
    replyAddress: null,
    createdAt: NOW,
    lastInboundAt: null,
    ...overrides,
  };
}

export function turnInput(flows: FlowSet, event: TurnEvent, overrides: Partial<TurnInput> = {}): TurnInput {
  return {
    state: structuredClone(EMPTY_CONVERSATION_STATE),
    event,
    contact: testContact(),
    conversationId: 'conv-1',
    channel: 'telegram',
    capabilities: PLAIN_TEXT_CAPABILITIES,
    flows,
    actions: registerCoreActions(new ActionRegistry()),
    now: NOW,
    ...overrides,
  };
}

/** Plays turns one after another, carrying the state like the runtime does. */
export class Chat {
  state: ConversationState = structuredClone(EMPTY_CONVERSATION_STATE);
  last!: TurnOutput;
  constructor(
    private readonly flows: FlowSet,
    private readonly overrides: Partial<TurnInput> = {},
  ) {}

  async send(event: TurnEvent | string): Promise<TurnOutput> {
    return this.sendAt(event, this.overrides.now ?? NOW);
  }

  /** Sends at a given time (visits, reminders). */
  async sendAt(event: TurnEvent | string, now: Date): Promise<TurnOutput> {
    const e: TurnEvent = typeof event === 'string' ? { kind: 'message', text: event } : event;
    this.last = await runTurn(turnInput(this.flows, e, { ...this.overrides, state: this.state, now }));
    this.state = this.last.state;
    return this.last;
  }

  texts(): string[] {
    return this.last.messages.map((m) => m.text ?? '');
  }
}
