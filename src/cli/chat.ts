/**
 * `plausch chat`: talk to the flows in a terminal. Renders bot messages with numbered options, so typing a
 * number or a label presses that button; `/start [payload]`, `/lang en`, `/reset`, `/state`, `/quit`.
 * The chat talks to a `ChatPort`: the in-memory engine port below, or one through the full runtime.
 */
import { createInterface } from 'node:readline';
import type { ActionRegistry } from '../engine/actions.js';
import { describeMessage } from '../engine/conversation-tests/runner.js';
import { runInterceptorsThenTurn } from '../engine/interceptors.js';
import type { InboundInterceptor, TurnEvent } from '../engine/types.js';
import type { FlowSet } from '../flows/schema.js';
import type { Logger } from '../logger.js';
import {
  type Contact,
  type ConversationState,
  EMPTY_CONVERSATION_STATE,
  type OutboundButton,
  type OutboundMessage,
  PLAIN_TEXT_CAPABILITIES,
} from '../model/index.js';
import { normalizeForMatching } from '../text/normalize.js';

export interface ChatPort {
  send(event: TurnEvent): Promise<OutboundMessage[]>;
  /** Switch the language the bot speaks with this chat's contact. */
  setLocale?(locale: string): Promise<void> | void;
  /** Forget the conversation and start over. */
  reset?(): Promise<void> | void;
  /** One line about where the conversation stands. */
  describeState?(): Promise<string> | string;
}

export interface ChatOptions {
  port: ChatPort;
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  locale?: string;
}

const HELP = 'Befehle / commands: /start [payload], /lang de|en, /reset, /state, /quit';

/** Runs the chat until the input ends or `/quit`. */
export async function runChat(options: ChatOptions): Promise<void> {
  const { port, output } = options;
  const lines = createInterface({
    input: options.input,
    terminal: false,
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  // Take the iterator at once: readline drops lines that arrive before anyone iterates.
  const incoming = lines[Symbol.asyncIterator]();
  let offered: OutboundButton[] = [];
  const write = (text: string) => output.write(`${text}\n`);

  const show = (messages: OutboundMessage[]) => {
    for (const message of messages) {
      write(renderForTerminal(message));
      const choosable = (message.buttons ?? []).filter((b) => b.payload);
      if (choosable.length > 0) offered = choosable;
    }
    if (messages.length === 0) write('  (keine Antwort / no reply)');
  };

  const talk = async (event: TurnEvent) => {
    try {
      show(await port.send(event));
    } catch (error) {
      write(`  ! ${(error as Error).message}`);
    }
  };

  if (options.locale) await port.setLocale?.(options.locale);
  write(HELP);
  for await (const raw of { [Symbol.asyncIterator]: () => incoming }) {
    const line = raw.trim();
    if (!line) continue;
    if (line.startsWith('/')) {
      const [command, ...rest] = line.split(/\s+/);
      const argument = rest.join(' ');
      if (command === '/quit' || command === '/exit') break;
      if (command === '/start') {
        await talk({ kind: 'message', isStart: true, ...(argument ? { startPayload: argument } : {}) });
      } else if (command === '/lang') {
        if (!/^[a-z]{2}$/.test(argument)) write('  ! /lang de oder /lang en');
        else if (!port.setLocale) write('  ! this chat cannot switch the language');
        else {
          await port.setLocale(argument);
          write(`  (locale: ${argument})`);
        }
      } else if (command === '/reset') {
        await port.reset?.();
        offered = [];
        write('  (neu gestartet / conversation reset)');
      } else if (command === '/state') {
        write(`  ${port.describeState ? await port.describeState() : '(no state available)'}`);
      } else {
        write(`  ! ${HELP}`);
      }
      continue;
    }
    const chosen = pickOffered(line, offered);
    await talk(
      chosen
        ? { kind: 'message', text: chosen.label, buttonPayload: chosen.payload! }
        : { kind: 'message', text: line },
    );
  }
  lines.close();
}

/** `2` or the exact label of an offered button presses it; anything else is typed text. */
function pickOffered(line: string, offered: OutboundButton[]): OutboundButton | undefined {
  const number = /^(\d{1,2})[.)]?$/.exec(line);
  if (number) return offered[Number(number[1]) - 1];
  const wanted = normalizeForMatching(line);
  const hits = offered.filter((b) => normalizeForMatching(b.label) === wanted);
  return hits.length === 1 ? hits[0] : undefined;
}

export function renderForTerminal(message: OutboundMessage): string {
  const lines: string[] = [];
  if (message.text) lines.push(`🤖 ${message.text}`);
  if (message.media)
    lines.push(
      `🤖 [${message.media.kind}] ${message.media.ref}${message.media.caption ? ` – ${message.media.caption}` : ''}`,
    );
  if (message.link)
    lines.push(`   🔗 ${message.link.label ? `${message.link.label}: ` : ''}${message.link.url}`);
  let n = 0;
  for (const button of message.buttons ?? []) {
    if (button.payload) {
      n += 1;
      lines.push(`  ${n}) ${button.label}`);
    } else if (button.url) {
      lines.push(`  🔗 ${button.label}: ${button.url}`);
    }
  }
  return lines.length > 0 ? lines.join('\n') : `🤖 ${describeMessage(message)}`;
}

export interface EngineChatPortOptions {
  flows: FlowSet | (() => FlowSet);
  actions: ActionRegistry;
  interceptors?: readonly InboundInterceptor[];
  contact?: Partial<Contact>;
  locale?: string;
  now?: () => Date;
  logger?: Logger;
}

/** A chat port that keeps the conversation in memory and calls the engine directly (no store, no outbox). */
export function createEngineChatPort(
  options: EngineChatPortOptions,
): ChatPort & { state(): ConversationState; contact(): Contact } {
  const currentFlows = () => (typeof options.flows === 'function' ? options.flows() : options.flows);
  const now = options.now ?? (() => new Date());
  const freshContact = (): Contact => ({
    id: 'cli-contact',
    channel: 'cli',
    channelContactId: 'terminal',
    displayName: options.contact?.firstName ?? null,
    firstName: null,
    lastName: null,
    username: null,
    phone: null,
    tags: [],
    attributes: {},
    replyAddress: null,
    createdAt: now(),
    lastInboundAt: null,
    ...options.contact,
    locale: options.locale ?? options.contact?.locale ?? currentFlows().settings.default_locale,
  });
  let contact = freshContact();
  let state: ConversationState = structuredClone(EMPTY_CONVERSATION_STATE);

  return {
    async send(event) {
      const output = await runInterceptorsThenTurn(options.interceptors ?? [], {
        state,
        event,
        contact,
        conversationId: 'cli-conversation',
        channel: 'cli',
        capabilities: PLAIN_TEXT_CAPABILITIES,
        flows: currentFlows(),
        actions: options.actions,
        now: now(),
        ...(options.logger ? { logger: options.logger } : {}),
      });
      state = output.state;
      contact = { ...contact, lastInboundAt: now() };
      for (const effect of output.effects) {
        if (effect.kind === 'set-locale') contact.locale = effect.locale;
        if (effect.kind === 'tag-contact') {
          contact.tags = [...new Set([...contact.tags, ...(effect.add ?? [])])].filter(
            (t) => !(effect.remove ?? []).includes(t),
          );
        }
        if (effect.kind === 'remember') contact.attributes = { ...contact.attributes, ...effect.attributes };
        if (effect.kind === 'handoff')
          options.logger?.info(
            { reason: effect.reason },
            'handoff requested (terminal chat: nobody is queued)',
          );
      }
      return output.messages;
    },
    setLocale(locale) {
      contact.locale = locale;
    },
    reset() {
      contact = freshContact();
      state = structuredClone(EMPTY_CONVERSATION_STATE);
    },
    describeState() {
      const where = state.flowId
        ? `${state.flowId}.${state.stepId}${state.awaiting ? ` (waits for ${state.awaiting})` : ''}`
        : 'no flow';
      return `${where}; misses ${state.misses}; locale ${contact.locale}; vars ${JSON.stringify(state.vars)}`;
    },
    state: () => state,
    contact: () => contact,
  };
}
