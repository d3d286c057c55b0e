/**
 * One engine turn: (state, event, flows, clock) → (new state, messages, effects, trace). Deterministic given
 * its input. Order: jump payloads; media we cannot read; the answer to a waiting step; triggers (stale
 * buttons, payloads, start, keywords — a keyword at a prompt is a digression); a confident question at a
 * prompt (a digression too); a miss with re-prompt, or the fallback flow; finally the built-in "not understood".
 */

import type { StepDefinition } from '../flows/schema.js';
import type { ConversationState, JsonValue, MediaKind, OutboundMessage } from '../model/index.js';
import { normalizeForMatching } from '../text/normalize.js';
import { invalidInputTextKey, mediaTextKey } from './builtin-texts.js';
import { type ChoiceOption, matchChoiceText, matchTypedNumber } from './choice-matching.js';
import { DEFAULT_PARSE_CONTEXT, parseExpectedInput } from './input-parsers.js';
import { interpolateText } from './interpolate.js';
import { allLocalizedVariants, pickLocalized } from './localized-text.js';
import { stepButtonPayload } from './payloads.js';
import {
  applySet,
  attachButtons,
  FlowRunError,
  findStep,
  jumpTarget,
  nextTarget,
  type Position,
  parseFlowTarget,
  render,
  renderButtons,
  runSteps,
  type StepTarget,
} from './step-runner.js';
import {
  fallbackFlowId,
  findPayloadTrigger,
  findTrigger,
  questionFlowId,
  type TriggerMatch,
} from './triggers.js';
import { StepBudgetExceeded, TurnSession } from './turn-session.js';
import type { TurnInput, TurnOutput } from './types.js';

/** The caller asked for something impossible (a `start-flow` for a flow that does not exist). */
export class TurnInputError extends Error {}

interface Resolution {
  position: Position;
  misses: number;
}

type MessageEvent = Extract<TurnInput['event'], { kind: 'message' }>;

export async function runTurn(input: TurnInput): Promise<TurnOutput> {
  const session = new TurnSession(input);
  let resolution: Resolution;
  try {
    resolution = await dispatch(session);
  } catch (error) {
    if (error instanceof StepBudgetExceeded) {
      session.logger.error(
        { trace: session.trace.slice(0, 12) },
        'flow stopped: it loops (too many steps in one turn)',
      );
      // Nothing of a looping turn goes out but one apology: 50 messages or repeated effects help nobody.
      session.messages = [{ text: session.text('engine_error') }];
      session.effects = [];
    } else if (error instanceof FlowRunError) {
      session.logger.error({ err: error, trace: session.trace }, `flow stopped: ${error.message}`);
      session.messages.push({ text: session.text('engine_error') });
    } else {
      throw error;
    }
    resolution = { position: null, misses: 0 };
  }
  return buildOutput(session, resolution);
}

async function dispatch(session: TurnSession): Promise<Resolution> {
  const { event } = session.input;
  if (event.kind === 'start-flow') {
    const flow = session.input.flows.flows.get(event.flowId)?.definition;
    if (!flow) throw new TurnInputError(`cannot start flow "${event.flowId}": no such flow`);
    if (event.stepId && !flow.steps[event.stepId]) {
      throw new TurnInputError(`cannot start flow "${event.flowId}" at "${event.stepId}": no such step`);
    }
    return started(await runSteps(session, { flowId: event.flowId, stepId: event.stepId }));
  }

  const flows = session.input.flows;
  const text = event.text?.trim() || undefined;
  let payload = event.buttonPayload;

  const early = payload ? findPayloadTrigger({ buttonPayload: payload }, flows) : null;
  if (early?.kind === 'jump') return started(await startTrigger(session, early));

  const waiting = waitingStep(session);
  const opening = Boolean(event.isStart || event.startPayload);
  const media = wordlessMedia(event);
  if (media && !payload && !opening) return mediaReply(session, waiting, media);

  if (waiting && !opening) {
    const answer = await answerWaitingStep(session, waiting, event, text);
    if (answer.kind === 'answered') return started(answer.position);
    if (answer.kind === 'chose-offered') payload = answer.payload;
  } else if (!waiting && !payload && text) {
    // WhatsApp Web and the terminal show buttons as numbered text: "2" means the 2nd option last offered.
    payload = offeredPayloadFor(session, text) ?? undefined;
  }

  // What follows did not answer the waiting step (if any). A strict prompt is not left by typed words.
  const mayDigress = Boolean(waiting && !opening && !waiting.step.strict);
  const trigger = findTrigger(
    { ...(text ? { text } : {}), ...(payload ? { buttonPayload: payload } : {}), ...startFields(event) },
    flows,
  );
  if (trigger && waiting && trigger.kind === 'flow' && trigger.reason === 'keyword') {
    // Another flow's keyword typed at a prompt is a digression: that flow runs, then the prompt comes back.
    // A question that merely contains a keyword ("Wie oft kommt der Newsletter?") is answered as a question
    // below; the keyword of the flow the customer is already in starts it over ("Hallo" at the menu).
    const question = text !== undefined && asksSomething(text) && (await isConfidentQuestion(session, text));
    if (mayDigress && !question) {
      if (trigger.flowId === waiting.flowId) return started(await startTrigger(session, trigger));
      return digress(session, waiting, () => startTrigger(session, trigger));
    }
  } else if (trigger) {
    return started(await startTrigger(session, trigger));
  }

  // "Habt ihr auch Tee?" after "Hat dir das geholfen?" is a new question, not a wrong answer: one the
  // knowledge base answers confidently, or one that plainly asks (a question mark). The question flow (else
  // the fallback flow) answers; input that fits nothing ("blablubb", "vielleicht") still is a miss.
  const fallback = fallbackFlowId(flows);
  const questionTarget = questionFlowId(flows) ?? fallback;
  if (
    mayDigress &&
    text &&
    questionTarget &&
    (asksSomething(text) || (await isConfidentQuestion(session, text)))
  ) {
    session.vars.last_input = text;
    return digress(session, waiting!, () => runSteps(session, { flowId: questionTarget }));
  }
  // A whole sentence typed at a menu ("Mein Hamster heißt Günther") is not a failed choice either: the
  // fallback flow takes it (and shows what the bot can do). Short input still gets the re-prompt.
  if (mayDigress && waiting?.awaiting === 'choice' && fallback && text && wordCount(text) >= 3) {
    session.vars.last_input = text;
    return started(await runSteps(session, { flowId: fallback }));
  }
  if (waiting) return miss(session, waiting, text);

  if (fallback) {
    session.vars.last_input = text ?? '';
    return started(await runSteps(session, { flowId: fallback }));
  }
  session.messages.push({ text: session.text('not_understood') });
  return { position: null, misses: 0 };
}

/** Asks the injected detector; a failing detector means "no" (the prompt re-asks as before). */
async function isConfidentQuestion(session: TurnSession, text: string): Promise<boolean> {
  const detector = session.input.questions;
  if (!detector) return false;
  try {
    return await detector.isConfidentQuestion(text, { locale: session.locale });
  } catch (error) {
    session.logger.warn({ err: error }, 'question detector failed; treating the message as an answer');
    return false;
  }
}

/**
 * Runs a digression from a waiting prompt. When it finishes in this turn (an FAQ answer, a short info flow),
 * the bot comes back to the prompt, which keeps its misses; when it waits at a prompt of its own (a menu,
 * another sign-up), the customer has moved on and that prompt is the one now waiting.
 */
async function digress(
  session: TurnSession,
  waiting: WaitingStep,
  run: () => Promise<Position>,
): Promise<Resolution> {
  session.trace.push(`digression from ${waiting.flowId}.${waiting.stepId}`);
  const position = await run();
  if (position) return started(position);
  session.messages.push(...promptAgainMessages(session, waiting, session.text('resume_prompt')));
  return {
    position: { flowId: waiting.flowId, stepId: waiting.stepId, awaiting: waiting.awaiting },
    misses: session.input.state.misses,
  };
}

/** Media the customer sent without words we can read (a voice note, a sticker, a location, a bare photo). */
function wordlessMedia(event: MessageEvent): MediaKind | null {
  const kind = event.media?.kind;
  if (!kind) return null;
  if (kind === 'audio' || kind === 'sticker' || kind === 'location') return kind;
  return event.text?.trim() ? null : kind;
}

/**
 * What the bot says to media it cannot look at or listen to, in every step: an honest "I can't", how to go
 * on (and that a person can look at it); a waiting prompt is asked again and the media is no miss.
 */
function mediaReply(session: TurnSession, waiting: WaitingStep | null, kind: MediaKind): Resolution {
  session.trace.push(`media:${kind}`);
  session.messages.push({ text: session.text(mediaTextKey(kind)) });
  if (!waiting) return { position: null, misses: 0 };
  session.messages.push(...promptAgainMessages(session, waiting, null));
  return {
    position: { flowId: waiting.flowId, stepId: waiting.stepId, awaiting: waiting.awaiting },
    misses: session.input.state.misses,
  };
}

/** Plainly a question, not a mistyped answer: two words or more and a question mark. */
function asksSomething(text: string): boolean {
  return text.includes('?') && wordCount(text) >= 2;
}

function wordCount(text: string): number {
  return text.split(/\s+/).filter((word) => /\p{L}/u.test(word)).length;
}

function started(position: Position): Resolution {
  return { position, misses: 0 };
}

function startFields(event: MessageEvent) {
  return {
    ...(event.startPayload ? { startPayload: event.startPayload } : {}),
    ...(event.isStart ? { isStart: true } : {}),
  };
}

interface WaitingStep {
  flowId: string;
  stepId: string;
  awaiting: 'choice' | 'input';
  step: StepDefinition;
}

function waitingStep(session: TurnSession): WaitingStep | null {
  const { flowId, stepId, awaiting } = session.input.state;
  if (!flowId || !stepId || !awaiting) return null;
  const step = session.input.flows.flows.get(flowId)?.definition.steps[stepId];
  // The flows changed under a waiting conversation: treat it as not waiting rather than failing.
  if (!step) return null;
  return { flowId, stepId, awaiting, step };
}

async function startTrigger(session: TurnSession, trigger: TriggerMatch): Promise<Position> {
  switch (trigger.kind) {
    case 'jump':
      Object.assign(session.vars, trigger.jump.vars);
      return runSteps(session, { flowId: trigger.jump.flowId, stepId: trigger.jump.stepId });
    case 'stale-button':
      return applyButton(session, trigger.button.flowId, trigger.button.stepId, trigger.button.index);
    case 'flow':
      Object.assign(session.vars, trigger.vars);
      // The words that started a flow, for flows that branch on them (`language`: "english" or "deutsch").
      session.vars.last_input = session.inbound?.text?.trim() ?? '';
      return runSteps(session, { flowId: trigger.flowId });
  }
}

type Answer =
  | { kind: 'answered'; position: Position }
  | { kind: 'chose-offered'; payload: string }
  | { kind: 'none' };

interface WaitingOption extends ChoiceOption {
  payload: string;
  /** Index into the step's own buttons; absent for buttons an action added (events, FAQ candidates). */
  buttonIndex?: number;
}

async function answerWaitingStep(
  session: TurnSession,
  waiting: WaitingStep,
  event: MessageEvent,
  text: string | undefined,
): Promise<Answer> {
  const { flowId, stepId, step } = waiting;
  const options = waitingOptions(session, waiting);

  if (event.buttonPayload) {
    const chosen = options.find((o) => o.payload === event.buttonPayload);
    if (chosen) return chooseOption(session, waiting, chosen);
    // Another button (a stale one, a trigger payload) is not an answer to this step.
    if (findPayloadTrigger({ buttonPayload: event.buttonPayload }, session.input.flows))
      return { kind: 'none' };
  }
  if (!text) return { kind: 'none' };

  const expect = step.expect ?? (waiting.awaiting === 'choice' ? 'choice' : 'text');
  if (options.length > 0) {
    // A free-text question only takes a button by number or its exact label, never by a word inside a sentence.
    const index =
      expect === 'choice'
        ? matchChoiceText(text, options)
        : (matchTypedNumber(text, options.length) ?? exactOptionIndex(text, options));
    const option = index === null ? undefined : options[index];
    if (option) return chooseOption(session, waiting, option);
  }
  if (expect === 'choice') return { kind: 'none' };

  const parsed = parseExpectedInput(expect, text, step.validate, {
    ...DEFAULT_PARSE_CONTEXT,
    now: session.input.now,
  });
  if (!parsed.ok) return { kind: 'none' };
  const byValue = (step.buttons ?? []).findIndex(
    (b) => !b.url && b.value !== undefined && b.value === parsed.value,
  );
  if (byValue >= 0)
    return { kind: 'answered', position: await applyButton(session, flowId, stepId, byValue) };
  if (step.save) session.vars[step.save] = parsed.value;
  const next = nextTarget(session, flowId, step, undefined);
  return { kind: 'answered', position: next ? await runSteps(session, next) : null };
}

/**
 * One of the offered options was chosen. The step's own button applies; an action's button (an event, an FAQ
 * candidate) that jumps or triggers a flow does that; any other action button answers the step, and the next
 * step's action finds the payload in its input (`faq.show` reads `faq:<id>`).
 */
async function chooseOption(
  session: TurnSession,
  waiting: WaitingStep,
  option: WaitingOption,
): Promise<Answer> {
  const { flowId, stepId, step } = waiting;
  if (option.buttonIndex !== undefined) {
    return { kind: 'answered', position: await applyButton(session, flowId, stepId, option.buttonIndex) };
  }
  if (findPayloadTrigger({ buttonPayload: option.payload }, session.input.flows)) {
    return { kind: 'chose-offered', payload: option.payload };
  }
  session.inbound = { ...session.inbound, payload: option.payload };
  if (step.save) session.vars[step.save] = option.payload;
  const next = nextTarget(session, flowId, step, undefined);
  return { kind: 'answered', position: next ? await runSteps(session, next) : null };
}

function exactOptionIndex(text: string, options: readonly ChoiceOption[]): number | null {
  const normalized = normalizeForMatching(text);
  const hits = options.flatMap((o, i) =>
    o.names.some((n) => normalizeForMatching(n) === normalized) ? [i] : [],
  );
  return hits.length === 1 ? hits[0]! : null;
}

/** The options a waiting step offers: as last shown (with an action's buttons), else its own buttons. */
function waitingOptions(session: TurnSession, waiting: WaitingStep): WaitingOption[] {
  const { flowId, stepId, step } = waiting;
  const own = (step.buttons ?? []).flatMap((button, index): WaitingOption[] =>
    button.url
      ? []
      : [
          {
            payload: button.payload ?? stepButtonPayload(flowId, stepId, index),
            buttonIndex: index,
            names: [
              ...allLocalizedVariants(button.label),
              ...(typeof button.value === 'string' ? [button.value] : []),
            ],
          },
        ],
  );
  const offered = session.input.state.offered ?? [];
  if (offered.length === 0) return own;
  return offered.map((shown) => {
    const mine = own.find((o) => o.payload === shown.payload);
    return mine
      ? { ...mine, names: [shown.label, ...mine.names] }
      : { payload: shown.payload, names: [shown.label] };
  });
}

/** A typed number or exact label of the last offered buttons, when no step waits. */
function offeredPayloadFor(session: TurnSession, text: string): string | null {
  const offered = session.input.state.offered ?? [];
  if (offered.length === 0) return null;
  const options = offered.map((o) => ({ names: [o.label] }));
  const index = matchTypedNumber(text, offered.length) ?? exactOptionIndex(text, options);
  return index === null ? null : (offered[index]?.payload ?? null);
}

/** The customer chose button `index` of a step (now or from an older message): save, set, jump. */
async function applyButton(
  session: TurnSession,
  flowId: string,
  stepId: string,
  index: number,
): Promise<Position> {
  const step = findStep(session, flowId, stepId);
  const button = step.buttons?.[index];
  if (!button) throw new FlowRunError(`step ${flowId}.${stepId} has no button ${index + 1}`);
  if (step.save) {
    const defaultLocale = session.settings.default_locale;
    session.vars[step.save] =
      button.value ??
      interpolateText(pickLocalized(button.label, defaultLocale, defaultLocale), session.scope);
  }
  if (button.set) applySet(session, button.set);
  let target: StepTarget | null | undefined = jumpTarget(flowId, button);
  if (!target && button.payload) {
    // A fixed payload that another flow triggers on hands over to that flow.
    const trigger = findPayloadTrigger({ buttonPayload: button.payload }, session.input.flows);
    if (trigger?.kind === 'flow' || trigger?.kind === 'jump') return startTrigger(session, trigger);
  }
  target ??= nextTarget(session, flowId, step, undefined);
  return target ? runSteps(session, target) : null;
}

/** The input did not answer the waiting step and started nothing else. */
async function miss(
  session: TurnSession,
  waiting: WaitingStep,
  text: string | undefined,
): Promise<Resolution> {
  const { settings } = session;
  const misses = session.input.state.misses + 1;
  if (misses >= settings.max_misses) {
    const target = settings.on_too_many_misses
      ? parseFlowTarget(settings.on_too_many_misses)
      : (() => {
          const id = fallbackFlowId(session.input.flows);
          return id ? { flowId: id } : null;
        })();
    if (target) {
      session.vars.last_input = text ?? '';
      return started(await runSteps(session, target));
    }
  }
  session.messages.push(...repromptMessages(session, waiting));
  return { position: { flowId: waiting.flowId, stepId: waiting.stepId, awaiting: waiting.awaiting }, misses };
}

/** The step's `retry` (or a helpful default for what it expects), then the question again with its buttons. */
function repromptMessages(session: TurnSession, waiting: WaitingStep): OutboundMessage[] {
  const { step } = waiting;
  const hasButtons = (step.buttons ?? []).some((b) => !b.url);
  const retry = step.retry
    ? render(session, step.retry)
    : session.text(invalidInputTextKey(step.expect, hasButtons || waiting.awaiting === 'choice'));
  const messages: OutboundMessage[] = [{ text: retry }];
  const question = questionOf(step);
  const questionText = question ? render(session, question) : '';
  if (questionText) messages.push({ text: questionText });
  attachButtons(session, messages, promptButtons(session, waiting));
  return messages;
}

/**
 * The waiting prompt once more, after a digression or media: the step's `resume` text, else its question
 * (after `lead`, "Zurück zu meiner Frage:"), else its retry; with the buttons it offered.
 */
function promptAgainMessages(
  session: TurnSession,
  waiting: WaitingStep,
  lead: string | null,
): OutboundMessage[] {
  const { step } = waiting;
  let text: string;
  if (step.resume) {
    text = render(session, step.resume);
  } else {
    const question = questionOf(step) ?? step.retry;
    const questionText = question ? render(session, question) : '';
    text = questionText ? (lead ? `${lead} ${questionText}` : questionText) : session.text('resume_choose');
  }
  const messages: OutboundMessage[] = [{ text }];
  attachButtons(session, messages, promptButtons(session, waiting));
  return messages;
}

function questionOf(step: StepDefinition) {
  const says = step.say === undefined ? [] : Array.isArray(step.say) ? step.say : [step.say];
  return step.ask ?? says.at(-1);
}

/** The buttons the waiting prompt offered (an action's among them), with the step's link buttons. */
function promptButtons(session: TurnSession, waiting: WaitingStep) {
  const { step, flowId, stepId } = waiting;
  const offered = session.input.state.offered ?? [];
  return offered.length > 0
    ? [
        ...offered.map((o) => ({ label: o.label, payload: o.payload })),
        ...renderButtons(session, flowId, stepId, step.buttons).filter((b) => b.url),
      ]
    : renderButtons(session, flowId, stepId, step.buttons);
}

function buildOutput(session: TurnSession, resolution: Resolution): TurnOutput {
  const { position } = resolution;
  const state: ConversationState = {
    flowId: position?.flowId ?? null,
    stepId: position?.stepId ?? null,
    awaiting: position?.awaiting ?? null,
    vars: session.vars as Record<string, JsonValue>,
    misses: position ? resolution.misses : 0,
  };
  if (session.visit) state.visit = session.visit;
  const offered = offeredAfter(session.messages, session.input.state.offered);
  if (offered) state.offered = offered;
  return { state, messages: session.messages, effects: session.effects, trace: session.trace };
}

/** The payload buttons of the last message that had any; what was offered before if nothing was said. */
function offeredAfter(
  messages: OutboundMessage[],
  before: ConversationState['offered'],
): ConversationState['offered'] {
  if (messages.length === 0) return before;
  for (let i = messages.length - 1; i >= 0; i--) {
    const withPayload = (messages[i]?.buttons ?? []).flatMap((b) =>
      b.payload ? [{ label: b.label, payload: b.payload }] : [],
    );
    if (withPayload.length > 0) return withPayload;
  }
  return undefined;
}
