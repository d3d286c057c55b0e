/**
 * Runs conversation tests against a flow set and actions: plays the customer's side through the interceptors
 * and the engine, keeps the contact and state in memory, and checks each expectation. The first failing
 * expectation ends a test with `file:line: expected … but the bot said …`.
 */
import type { FlowSet } from '../../flows/schema.js';
import type { Logger } from '../../logger.js';
import {
  type ChannelCapabilities,
  type ChannelName,
  type Contact,
  type ConversationState,
  EMPTY_CONVERSATION_STATE,
  isChannelName,
  type JsonValue,
  type OutboundMessage,
  PLAIN_TEXT_CAPABILITIES,
} from '../../model/index.js';
import { normalizeForMatching } from '../../text/normalize.js';
import type { ActionRegistry, EngineEffect } from '../actions.js';
import { runInterceptorsThenTurn } from '../interceptors.js';
import type { InboundInterceptor, QuestionDetector, TurnEvent } from '../types.js';
import { type ConversationStep, type ConversationTest, readConversationTests } from './test-file.js';

/** The clock of a test without `now:` — a Monday morning in Leipzig, so results never depend on today. */
export const DEFAULT_TEST_NOW = new Date('2026-06-15T10:00:00+02:00');

const DAY_MS = 86_400_000;
/** `contact: { returning: true }`: known for three months, last visit a week ago. */
const RETURNING_CONTACT_AGE_MS = 90 * DAY_MS;
const RETURNING_LAST_VISIT_AGO_MS = 7 * DAY_MS;

export interface ConversationTestOptions {
  testsDir: string;
  flowSet: FlowSet;
  /** A registry, or a factory for a fresh one per test (stand-ins keep per-test state). */
  actions: ActionRegistry | (() => ActionRegistry);
  interceptors?: readonly InboundInterceptor[];
  /** Tells new questions from failed answers at prompts (the FAQ feature's detector). */
  questions?: QuestionDetector;
  /** Only tests whose name contains this text (case-insensitive). */
  filter?: string;
  capabilitiesOf?: (channel: ChannelName) => ChannelCapabilities;
  logger?: Logger;
  /**
   * Stores the test's contact and conversation where real actions find them (they write consent, codes,
   * reminders for that contact). Without it both live only in memory, which suits stand-in actions.
   */
  prepareConversation?: (
    contact: Contact,
    now: Date,
  ) => Promise<{ contact: Contact; conversationId: string }>;
}

export interface ConversationTestResult {
  name: string;
  file: string;
  line: number;
  passed: boolean;
  /** `file:line: expected … but the bot said …` */
  failure?: string;
  /** Everything said, for a verbose report. */
  transcript: string[];
}

export async function runConversationTests(
  options: ConversationTestOptions,
): Promise<ConversationTestResult[]> {
  const { tests, problems } = await readConversationTests(options.testsDir);
  const results: ConversationTestResult[] = problems.map((p) => ({
    name: `${p.file.split(/[\\/]/).pop()}`,
    file: p.file,
    line: p.line,
    passed: false,
    failure: `${p.file}:${p.line}: ${p.message}`,
    transcript: [],
  }));
  const filter = options.filter?.toLowerCase();
  for (const test of tests) {
    if (filter && !test.name.toLowerCase().includes(filter)) continue;
    results.push(await runConversationTest(test, options));
  }
  return results;
}

/** A step that did not go as the test (or the simulator's customer) expected. */
export class ExpectationFailed extends Error {}

/** A conversation played in memory: the test runner's and the workbench simulator's. */
export interface TestConversation {
  id: string;
  state: ConversationState;
  contact: Contact;
  /** Every bot message in order. */
  said: OutboundMessage[];
  /** Index of the first bot message not yet checked by a `bot` step. */
  cursor: number;
  /** Index of the first bot message after the latest customer input. */
  sinceInput: number;
  effects: EngineEffect[];
  trace: string[];
  transcript: string[];
}

export async function runConversationTest(
  test: ConversationTest,
  options: Omit<ConversationTestOptions, 'testsDir' | 'filter'>,
): Promise<ConversationTestResult> {
  const actions = typeof options.actions === 'function' ? options.actions() : options.actions;
  const channel: ChannelName = test.channel && isChannelName(test.channel) ? test.channel : 'cli';
  const now = test.now ?? DEFAULT_TEST_NOW;
  const conversation = createTestConversation(test, options.flowSet, channel, now);
  const base = { name: test.name, file: test.file, line: test.line };
  if (options.prepareConversation) {
    const prepared = await options.prepareConversation(conversation.contact, now);
    conversation.contact = prepared.contact;
    conversation.id = prepared.conversationId;
  }
  if (test.channel && !isChannelName(test.channel)) {
    return {
      ...base,
      passed: false,
      failure: `${test.file}:${test.line}: unknown channel "${test.channel}"`,
      transcript: [],
    };
  }
  const context: PlayContext = { ...options, actions, now, channel };
  for (const { step, line } of test.steps) {
    try {
      await playStep(step, conversation, context);
    } catch (error) {
      const message =
        error instanceof ExpectationFailed ? error.message : `the engine failed: ${(error as Error).message}`;
      return {
        ...base,
        passed: false,
        failure: `${test.file}:${line}: ${message}`,
        transcript: conversation.transcript,
      };
    }
  }
  return { ...base, passed: true, transcript: conversation.transcript };
}

/** A fresh in-memory conversation with the test's contact, locale and starting variables. */
export function createTestConversation(
  test: Pick<ConversationTest, 'contact' | 'vars' | 'locale'>,
  flowSet: FlowSet,
  channel: ChannelName,
  now: Date,
): TestConversation {
  const locale = test.locale ?? flowSet.settings.default_locale;
  const returning = test.contact.returning === true;
  const lastVisit = new Date(now.getTime() - RETURNING_LAST_VISIT_AGO_MS).toISOString();
  return {
    id: 'conversation-test',
    state: {
      ...EMPTY_CONVERSATION_STATE,
      vars: structuredClone(test.vars) as Record<string, JsonValue>,
      // A returning contact was last here a week ago; a new one has never written before.
      ...(returning
        ? { visit: { startedAt: lastVisit, lastSeenAt: lastVisit, returning: false, vars: {} } }
        : {}),
    },
    contact: {
      id: 'contact-test',
      channel,
      channelContactId: 'test-1',
      displayName:
        test.contact.displayName ??
        ([test.contact.firstName, test.contact.lastName].filter(Boolean).join(' ') || null),
      firstName: test.contact.firstName ?? null,
      lastName: test.contact.lastName ?? null,
      username: test.contact.username ?? null,
      phone: null,
      locale,
      tags: test.contact.tags ?? [],
      attributes: {},
      replyAddress: null,
      createdAt: returning ? new Date(now.getTime() - RETURNING_CONTACT_AGE_MS) : now,
      lastInboundAt: returning ? new Date(lastVisit) : null,
    },
    said: [],
    cursor: 0,
    sinceInput: 0,
    effects: [],
    trace: [],
    transcript: [],
  };
}

export interface PlayContext extends Omit<ConversationTestOptions, 'testsDir' | 'filter' | 'actions'> {
  actions: ActionRegistry;
  now: Date;
  channel: ChannelName;
}

/** Plays one step of a test (a customer action or an expectation) in a conversation. */
export async function playStep(
  step: ConversationStep,
  c: TestConversation,
  context: PlayContext,
): Promise<void> {
  if ('user' in step) return send(c, context, { kind: 'message', text: step.user }, `👤 ${step.user}`);
  if ('payload' in step) {
    return send(c, context, { kind: 'message', buttonPayload: step.payload }, `👤 [payload ${step.payload}]`);
  }
  if ('press' in step) {
    const button = findButton(c, step.press);
    return send(
      c,
      context,
      { kind: 'message', text: button.label, buttonPayload: button.payload },
      `👤 [${button.label}]`,
    );
  }
  if ('start' in step) {
    const event: TurnEvent =
      step.start === true
        ? { kind: 'message', isStart: true }
        : { kind: 'message', isStart: true, startPayload: step.start };
    return send(c, context, event, `👤 /start${step.start === true ? '' : ` ${step.start}`}`);
  }
  if ('media' in step) {
    const media = typeof step.media === 'string' ? { kind: step.media } : step.media;
    const caption = 'caption' in media ? media.caption : undefined;
    return send(
      c,
      context,
      { kind: 'message', media: { kind: media.kind }, ...(caption ? { text: caption } : {}) },
      `👤 [${media.kind}]${caption ? ` ${caption}` : ''}`,
    );
  }
  if ('wait' in step) {
    // The clock moves on; nothing is said, so the next message may start a new visit.
    context.now = new Date(context.now.getTime() + step.wait);
    c.transcript.push(`⏱ ${Math.round(step.wait / 60_000)} min later`);
    return;
  }
  if ('start_flow' in step) {
    const [flowId, stepId] = step.start_flow.split('.', 2) as [string, string | undefined];
    return send(
      c,
      context,
      { kind: 'start-flow', flowId, ...(stepId ? { stepId } : {}) },
      `⚙ start ${step.start_flow}`,
    );
  }
  if ('bot' in step) return expectBot(c, step.bot, step.skip ?? false, false);
  if ('bot_exact' in step) return expectBot(c, step.bot_exact, step.skip ?? false, true);
  if ('buttons' in step) return expectButtons(c, step.buttons, false);
  if ('buttons_include' in step) return expectButtons(c, step.buttons_include, true);
  if ('no_reply' in step) {
    const replies = c.said.slice(c.sinceInput);
    if (replies.length > 0) fail(`expected no reply but the bot said ${describe(replies)}`);
    return;
  }
  if ('replies' in step) {
    // "Exactly one confirmation": repeated or extra messages are a worse experience, not a detail.
    const replies = c.said.slice(c.sinceInput);
    if (replies.length !== step.replies) {
      fail(
        `expected ${step.replies} ${step.replies === 1 ? 'message' : 'messages'} since the customer's last step but the bot said ${replies.length ? describe(replies) : 'nothing'}`,
      );
    }
    return;
  }
  if ('state' in step) return expectState(c, step.state);
  if ('vars' in step) {
    for (const [name, expected] of Object.entries(step.vars)) {
      const actual = c.state.vars[name];
      // `null` in a test means "holds nothing": set to null or removed (conversation.forget removes).
      const empty = expected === null && actual === undefined;
      if (!empty && !sameValue(actual, expected)) {
        fail(
          `expected vars.${name} to be ${JSON.stringify(expected)} but it is ${actual === undefined ? 'not set' : JSON.stringify(actual)}`,
        );
      }
    }
    return;
  }
  if ('effects' in step) {
    const kinds = c.effects.map((e) => e.kind);
    if (step.effects.length === 0 && kinds.length > 0)
      fail(`expected no effects but got ${kinds.join(', ')}`);
    const missing = step.effects.filter((kind) => !kinds.includes(kind as EngineEffect['kind']));
    if (missing.length > 0) {
      fail(
        `expected the effect${missing.length > 1 ? 's' : ''} ${missing.join(', ')} but got ${kinds.join(', ') || 'none'}`,
      );
    }
    return;
  }
  if ('locale' in step) {
    if (c.contact.locale !== step.locale)
      fail(`expected the contact's locale ${step.locale} but it is ${c.contact.locale}`);
  }
}

async function send(
  c: TestConversation,
  context: PlayContext,
  event: TurnEvent,
  line: string,
): Promise<void> {
  c.transcript.push(line);
  const output = await runInterceptorsThenTurn(context.interceptors ?? [], {
    state: c.state,
    event,
    contact: c.contact,
    conversationId: c.id,
    channel: context.channel,
    capabilities: context.capabilitiesOf?.(context.channel) ?? PLAIN_TEXT_CAPABILITIES,
    flows: context.flowSet,
    actions: context.actions,
    now: context.now,
    ...(context.logger ? { logger: context.logger } : {}),
    ...(context.questions ? { questions: context.questions } : {}),
  });
  c.state = output.state;
  c.sinceInput = c.said.length;
  c.cursor = c.said.length;
  c.said.push(...output.messages);
  c.effects = output.effects;
  c.trace = output.trace;
  for (const message of output.messages) c.transcript.push(`🤖 ${describeMessage(message)}`);
  for (const effect of output.effects) applyEffect(c.contact, effect);
}

/** What the runtime does with effects after a turn, as far as the next turns of a test can notice. */
function applyEffect(contact: Contact, effect: EngineEffect): void {
  if (effect.kind === 'set-locale') contact.locale = effect.locale;
  if (effect.kind === 'tag-contact') {
    const tags = new Set(contact.tags);
    for (const tag of effect.add ?? []) tags.add(tag);
    for (const tag of effect.remove ?? []) tags.delete(tag);
    contact.tags = [...tags];
  }
  if (effect.kind === 'remember') contact.attributes = { ...contact.attributes, ...effect.attributes };
}

function expectBot(c: TestConversation, expected: string[], skip: boolean, exact: boolean): void {
  const unread = c.said.slice(c.cursor);
  for (const text of expected) {
    const fits = (m: OutboundMessage) =>
      exact ? (m.text ?? '').trim() === text.trim() : (m.text ?? '').includes(text);
    let found = false;
    while (c.cursor < c.said.length) {
      const message = c.said[c.cursor]!;
      c.cursor += 1;
      if (fits(message)) {
        found = true;
        break;
      }
      if (!skip) break;
    }
    if (!found) {
      const how = exact ? 'exactly' : '';
      const said = unread.length === 0 ? 'nothing more' : describe(unread);
      fail(
        `expected the bot to say ${how ? `${how} ` : ''}“${text}” but the bot said ${said}${traceNote(c)}`,
      );
    }
  }
}

function expectButtons(c: TestConversation, expected: string[], include: boolean): void {
  const last = c.said.at(-1);
  const labels = (last?.buttons ?? []).map((b) => b.label);
  if (include) {
    const missing = expected.filter((e) => !labels.some((label) => label === e || label.startsWith(e)));
    if (missing.length > 0) {
      fail(
        `expected buttons including ${quoteList(missing)} but the last message has ${labels.length ? quoteList(labels) : 'no buttons'}`,
      );
    }
    return;
  }
  if (labels.length !== expected.length || labels.some((label, i) => label !== expected[i])) {
    fail(
      `expected the buttons ${quoteList(expected)} but the last message has ${labels.length ? quoteList(labels) : 'no buttons'}`,
    );
  }
}

function findButton(c: TestConversation, label: string): { label: string; payload: string } {
  const wanted = normalizeForMatching(label);
  // The newest message first; older ones make a stale press, which the engine must handle too.
  for (let i = c.said.length - 1; i >= 0; i--) {
    const buttons = c.said[i]?.buttons ?? [];
    const button =
      buttons.find((b) => b.label === label) ?? buttons.find((b) => normalizeForMatching(b.label) === wanted);
    if (!button) continue;
    if (!button.payload) fail(`“${label}” is a link button (${button.url ?? ''}); it cannot be pressed`);
    return { label: button.label, payload: button.payload! };
  }
  const last = c.said.at(-1)?.buttons ?? [];
  return fail(
    `expected a button “${label}” to press but the last message has ${last.length ? quoteList(last.map((b) => b.label)) : 'no buttons'}`,
  );
}

function expectState(
  c: TestConversation,
  expected: {
    flow?: string | null | undefined;
    step?: string | null | undefined;
    awaiting?: string | null | undefined;
    misses?: number | undefined;
  },
): void {
  const actual = c.state;
  const problems: string[] = [];
  if (expected.flow !== undefined && actual.flowId !== expected.flow)
    problems.push(`flow ${expected.flow} but it is ${actual.flowId}`);
  if (expected.step !== undefined && actual.stepId !== expected.step)
    problems.push(`step ${expected.step} but it is ${actual.stepId}`);
  if (expected.awaiting !== undefined && actual.awaiting !== expected.awaiting) {
    problems.push(`awaiting ${expected.awaiting} but it is ${actual.awaiting}`);
  }
  if (expected.misses !== undefined && actual.misses !== expected.misses)
    problems.push(`misses ${expected.misses} but they are ${actual.misses}`);
  if (problems.length > 0) fail(`expected ${problems.join(', ')}${traceNote(c)}`);
}

function sameValue(actual: unknown, expected: unknown): boolean {
  if (actual === expected) return true;
  if (typeof actual === 'object' && typeof expected === 'object')
    return JSON.stringify(actual) === JSON.stringify(expected);
  // YAML writes 12 for "12" and the other way round; a marketer means the same.
  return actual !== undefined && actual !== null && expected !== null && String(actual) === String(expected);
}

function describe(messages: OutboundMessage[]): string {
  return messages.map((m) => `“${describeMessage(m)}”`).join(', ');
}

export function describeMessage(message: OutboundMessage): string {
  const parts: string[] = [];
  if (message.text) parts.push(message.text);
  if (message.media) parts.push(`[${message.media.kind} ${message.media.ref}]`);
  if (message.link) parts.push(`[${message.link.label ?? 'link'} ${message.link.url}]`);
  if (message.buttons?.length) parts.push(`[${message.buttons.map((b) => b.label).join(' | ')}]`);
  return parts.join(' ');
}

function quoteList(items: string[]): string {
  return `[${items.join(', ')}]`;
}

function traceNote(c: TestConversation): string {
  return c.trace.length > 0 ? ` (steps: ${c.trace.join(' → ')})` : '';
}

function fail(message: string): never {
  throw new ExpectationFailed(message);
}
