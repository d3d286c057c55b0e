/**
 * A channel adapter for tests: records every send and fails on demand (429 with retryAfter, transient,
 * permanent, window-closed), with optional artificial latency. No platform behind it.
 */
import {
  type ChannelAdapter,
  type ChannelHealth,
  type ChannelPacing,
  type InboundSink,
  SendError,
  type SendFailureKind,
  type SendResult,
  type SendTarget,
} from '../../src/channels/types.js';
import {
  type ChannelCapabilities,
  type ChannelName,
  type OutboundMessage,
  PLAIN_TEXT_CAPABILITIES,
} from '../../src/model/index.js';

export interface RecordedSend {
  contactId: string;
  channelContactId: string;
  conversationId: string | null;
  message: OutboundMessage;
  at: number;
  nativeMessageId: string;
}

export interface ProgrammedFailure {
  kind: SendFailureKind;
  retryAfterMs?: number;
  scope?: 'chat' | 'channel';
  message?: string;
}

export interface FakeAdapterOptions {
  name?: ChannelName;
  capabilities?: Partial<ChannelCapabilities>;
  /** Default: no pacing (Infinity per second, no per-chat interval). */
  pacing?: Partial<ChannelPacing>;
  latencyMs?: number;
}

export class FakeAdapter implements ChannelAdapter {
  readonly name: ChannelName;
  readonly capabilities: ChannelCapabilities;
  readonly pacing: ChannelPacing;
  readonly routes = [];
  readonly sends: RecordedSend[] = [];
  /** Every call of `send`, including failed ones, as time stamps per text. */
  readonly attempts: Array<{ text: string | undefined; at: number; failed: boolean }> = [];
  latencyMs: number;
  sink: InboundSink | null = null;
  /** Sends currently inside `send`, per chat: tests assert it never exceeds one. */
  readonly inFlightPerChat = new Map<string, number>();
  maxInFlightPerChat = 0;
  #failures: ProgrammedFailure[] = [];
  #failWhen: ((message: OutboundMessage, target: SendTarget) => ProgrammedFailure | null) | null = null;
  #counter = 0;

  constructor(options: FakeAdapterOptions = {}) {
    this.name = options.name ?? 'telegram';
    this.capabilities = { ...PLAIN_TEXT_CAPABILITIES, ...options.capabilities };
    this.pacing = { overallPerSecond: Number.POSITIVE_INFINITY, perChatIntervalMs: 0, ...options.pacing };
    this.latencyMs = options.latencyMs ?? 0;
  }

  /** The next sends fail in this order, one failure per send. */
  failNext(...failures: ProgrammedFailure[]): this {
    this.#failures.push(...failures);
    return this;
  }

  /** Fails every send for which `rule` returns a failure. */
  failWhen(rule: (message: OutboundMessage, target: SendTarget) => ProgrammedFailure | null): this {
    this.#failWhen = rule;
    return this;
  }

  async start(sink: InboundSink): Promise<void> {
    this.sink = sink;
  }

  async stop(): Promise<void> {
    this.sink = null;
  }

  health(): ChannelHealth {
    return { state: 'ready' };
  }

  async send(target: SendTarget, message: OutboundMessage): Promise<SendResult> {
    const chat = target.contact.id;
    const current = (this.inFlightPerChat.get(chat) ?? 0) + 1;
    this.inFlightPerChat.set(chat, current);
    this.maxInFlightPerChat = Math.max(this.maxInFlightPerChat, current);
    try {
      if (this.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, this.latencyMs));
      const failure = this.#failures.shift() ?? this.#failWhen?.(message, target) ?? null;
      this.attempts.push({ text: message.text, at: Date.now(), failed: failure !== null });
      if (failure) {
        throw new SendError(
          failure.message ?? `fake ${failure.kind}`,
          failure.kind,
          failure.retryAfterMs,
          failure.scope,
        );
      }
      this.#counter += 1;
      const nativeMessageId = `fake-${this.#counter}`;
      this.sends.push({
        contactId: target.contact.id,
        channelContactId: target.contact.channelContactId,
        conversationId: target.conversationId,
        message,
        at: Date.now(),
        nativeMessageId,
      });
      return { nativeMessageId };
    } finally {
      this.inFlightPerChat.set(chat, (this.inFlightPerChat.get(chat) ?? 1) - 1);
    }
  }

  textsTo(channelContactId: string): Array<string | undefined> {
    return this.sends.filter((s) => s.channelContactId === channelContactId).map((s) => s.message.text);
  }
}
