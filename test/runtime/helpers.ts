/** Shared pieces of the runtime and outbox tests: a fake engine, a flow set, message and runtime factories. */
import { ActionRegistry } from '../../src/engine/actions.js';
import type { InboundInterceptor, QuestionDetector, TurnInput, TurnOutput } from '../../src/engine/types.js';
import type { FlowSet } from '../../src/flows/schema.js';
import { silentLogger } from '../../src/logger.js';
import {
  type ChannelCapabilities,
  type ChannelName,
  type InboundMessage,
  PLAIN_TEXT_CAPABILITIES,
} from '../../src/model/index.js';
import { ConversationRuntime } from '../../src/runtime/conversation-runtime.js';
import { InProcessEventBus, type RuntimeEvent } from '../../src/runtime/events.js';
import type { Store } from '../../src/store/database.js';

export const testFlows: FlowSet = {
  settings: { default_locale: 'de', locales: ['de', 'en'], max_misses: 2, texts: {} },
  flows: new Map(),
  loadedAt: new Date(0),
};

let nativeCounter = 0;
export function inbound(contact: string, text: string, extra: Partial<InboundMessage> = {}): InboundMessage {
  nativeCounter += 1;
  return {
    channel: 'telegram',
    nativeId: `native-${process.pid}-${nativeCounter}-${Math.random().toString(36).slice(2)}`,
    contactNativeId: contact,
    receivedAt: new Date(),
    text,
    raw: { text },
    ...extra,
  };
}

export const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `condition` until it holds; fails the test with `what` after `timeoutMs`. */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 10_000,
): Promise<void> {
  const started = Date.now();
  while (!(await condition())) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await delay(10);
  }
}

/**
 * An engine double: answers "Echo <n>: <text>" where n counts the conversation's turns in its state, so lost
 * or reordered state updates show. "boom" throws, "mensch" asks for a person. Records concurrency per conversation.
 */
export class FakeEngine {
  readonly inputs: TurnInput[] = [];
  readonly #active = new Map<string, number>();
  maxActivePerConversation = 0;
  maxActiveOverall = 0;
  #activeOverall = 0;

  constructor(public latencyMs: () => number = () => 0) {}

  runTurn = async (input: TurnInput): Promise<TurnOutput> => {
    this.inputs.push(input);
    const active = (this.#active.get(input.conversationId) ?? 0) + 1;
    this.#active.set(input.conversationId, active);
    this.#activeOverall += 1;
    this.maxActivePerConversation = Math.max(this.maxActivePerConversation, active);
    this.maxActiveOverall = Math.max(this.maxActiveOverall, this.#activeOverall);
    try {
      const wait = this.latencyMs();
      if (wait > 0) await delay(wait);
      const text = input.event.kind === 'message' ? (input.event.text ?? '') : `flow ${input.event.flowId}`;
      if (text === 'boom') throw new Error('engine exploded');
      const count = (typeof input.state.vars.count === 'number' ? input.state.vars.count : 0) + 1;
      return {
        state: { ...input.state, vars: { ...input.state.vars, count } },
        messages: [{ text: `Echo ${count}: ${text}` }],
        effects: text === 'mensch' ? [{ kind: 'handoff', reason: 'asked for a person' }] : [],
        trace: [],
      };
    } finally {
      this.#active.set(input.conversationId, (this.#active.get(input.conversationId) ?? 1) - 1);
      this.#activeOverall -= 1;
    }
  };
}

/** Answers "STOP" itself, as the newsletter's unsubscribe interceptor would. */
export const stopInterceptor: InboundInterceptor = {
  name: 'stop-word',
  async intercept(input) {
    if (input.event.kind !== 'message' || input.event.text?.trim().toUpperCase() !== 'STOP') return null;
    return {
      state: input.state,
      messages: [{ text: 'Abgemeldet.' }],
      effects: [{ kind: 'tag-contact', add: ['unsubscribed'] }],
      trace: [],
    };
  },
};

export interface RuntimeUnderTest {
  runtime: ConversationRuntime;
  engine: FakeEngine;
  events: RuntimeEvent[];
  bus: InProcessEventBus;
}

export function createRuntime(
  store: Store,
  options: {
    engine?: FakeEngine;
    interceptors?: readonly InboundInterceptor[];
    capabilities?: Partial<Record<ChannelName, ChannelCapabilities>>;
    now?: () => Date;
    bus?: InProcessEventBus;
    questions?: QuestionDetector;
  } = {},
): RuntimeUnderTest {
  const engine = options.engine ?? new FakeEngine();
  const bus = options.bus ?? new InProcessEventBus();
  const events: RuntimeEvent[] = [];
  bus.subscribe((event) => events.push(event));
  const runtime = new ConversationRuntime({
    store,
    logger: silentLogger,
    flows: () => testFlows,
    actions: new ActionRegistry(),
    interceptors: () => options.interceptors ?? [],
    ...(options.questions ? { questions: options.questions } : {}),
    runTurn: engine.runTurn,
    capabilitiesOf: (channel) => options.capabilities?.[channel] ?? PLAIN_TEXT_CAPABILITIES,
    events: bus,
    instanceId: 'test-runtime',
    maxParallelConversations: 2,
    retryDelayMs: 50,
    ...(options.now ? { now: options.now } : {}),
  });
  return { runtime, engine, events, bus };
}
