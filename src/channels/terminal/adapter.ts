/**
 * The terminal as a channel: `plausch chat` talks through the full runtime (inbox, engine, outbox) with this
 * adapter at the end, so what a person sees in the terminal is what a messenger would get, as numbered text.
 */
import { randomUUID } from 'node:crypto';
import { type OutboundMessage, PLAIN_TEXT_CAPABILITIES } from '../../model/index.js';
import type { ChannelAdapter, InboundSink, SendResult, SendTarget } from '../types.js';

export interface TerminalAdapter extends ChannelAdapter {
  /** The sink the runtime handed over at start; the chat port writes the person's input into it. */
  sink(): InboundSink;
}

export function createTerminalAdapter(
  deliver: (message: OutboundMessage, target: SendTarget) => void,
): TerminalAdapter {
  let inbound: InboundSink | null = null;
  return {
    name: 'cli',
    capabilities: PLAIN_TEXT_CAPABILITIES,
    pacing: { overallPerSecond: 1000, perChatIntervalMs: 0 },
    routes: [],
    async start(sink) {
      inbound = sink;
    },
    async stop() {
      inbound = null;
    },
    async send(target, message): Promise<SendResult> {
      deliver(message, target);
      return { nativeMessageId: randomUUID() };
    },
    health: () => ({ state: inbound ? 'ready' : 'starting' }),
    sink() {
      if (!inbound) throw new Error('the terminal channel has not been started');
      return inbound;
    },
  };
}
