/**
 * Runs flow steps from a given step until one waits for the customer or the flow ends:
 * set → action → say → media → (action's messages) → ask/buttons, then on[outcome] > branch > goto/next > end.
 */
import type { ButtonDefinition, FlowDefinition, StepDefinition } from '../flows/schema.js';
import type { JsonValue, OutboundButton, OutboundMessage } from '../model/index.js';
import type { ActionResult } from './actions.js';
import { evaluateCondition } from './conditions.js';
import { interpolateText, interpolateValue } from './interpolate.js';
import { pickLocalized } from './localized-text.js';
import { stepButtonPayload } from './payloads.js';
import type { TurnSession } from './turn-session.js';

/** Where a conversation stands after running steps: waiting at a step, or the flow has ended (null). */
export type Position = { flowId: string; stepId: string; awaiting: 'choice' | 'input' } | null;

export interface StepTarget {
  flowId: string;
  /** Absent: the flow's start step. */
  stepId?: string | undefined;
}

/** A flow or step the flows refer to is missing, or an action failed: the flow cannot go on. */
export class FlowRunError extends Error {}

export function findFlow(session: TurnSession, flowId: string): FlowDefinition {
  const flow = session.input.flows.flows.get(flowId)?.definition;
  if (!flow) throw new FlowRunError(`flow "${flowId}" does not exist`);
  return flow;
}

export function startStepOf(flow: FlowDefinition): string {
  const stepId = flow.start ?? Object.keys(flow.steps)[0];
  if (!stepId) throw new FlowRunError(`flow "${flow.id}" has no steps`);
  return stepId;
}

export function findStep(session: TurnSession, flowId: string, stepId: string): StepDefinition {
  const step = findFlow(session, flowId).steps[stepId];
  if (!step) throw new FlowRunError(`step "${stepId}" does not exist in flow "${flowId}"`);
  return step;
}

/** What a step waits for, if anything. */
export function waitKind(step: StepDefinition): 'choice' | 'input' | null {
  const choosable = (step.buttons ?? []).some((b) => !b.url);
  if (step.ask) return step.expect === 'choice' || (!step.expect && choosable) ? 'choice' : 'input';
  return choosable ? 'choice' : null;
}

/** Runs from `target` until a step waits or the flow ends. */
export async function runSteps(session: TurnSession, target: StepTarget): Promise<Position> {
  let flowId = target.flowId;
  let stepId = target.stepId ?? startStepOf(findFlow(session, flowId));
  for (;;) {
    session.countStep(flowId, stepId);
    const step = findStep(session, flowId, stepId);
    const outcome = await runStepBody(session, flowId, stepId, step);
    const awaiting = waitKind(step);
    if (awaiting) return { flowId, stepId, awaiting };
    const next = nextTarget(session, flowId, step, outcome);
    if (!next) return null;
    flowId = next.flowId;
    stepId = next.stepId ?? startStepOf(findFlow(session, flowId));
  }
}

/** Runs a step's set, action and messages; returns the action's outcome (`ok` without an action). */
async function runStepBody(session: TurnSession, flowId: string, stepId: string, step: StepDefinition) {
  if (step.set) applySet(session, step.set);
  let result: ActionResult = {};
  if (step.action) result = await runAction(session, flowId, stepId, step);

  const messages: OutboundMessage[] = [];
  const says = step.say === undefined ? [] : Array.isArray(step.say) ? step.say : [step.say];
  for (const say of says) pushText(messages, render(session, say));
  if (step.media) messages.push(mediaMessage(session, step.media));
  // Copies: buttons may be attached below, and an action's message objects are not ours to change.
  messages.push(...(result.messages ?? []).map((m) => ({ ...m })));
  if (step.ask) pushText(messages, render(session, step.ask));
  const buttons = renderButtons(session, flowId, stepId, step.buttons);
  const lastOfTurn = session.messages.at(-1);
  if (messages.length === 0 && buttons.length > 0 && lastOfTurn) {
    // A step of only buttons adds them to what was just said (an action's list in the step before).
    attachButtons(session, [lastOfTurn], buttons);
  } else {
    attachButtons(session, messages, buttons);
  }
  session.messages.push(...messages);
  return result.outcome ?? 'ok';
}

export function applySet(session: TurnSession, set: Record<string, JsonValue>): void {
  for (const [key, value] of Object.entries(set)) {
    const filled = interpolateValue(value, session.scope) as JsonValue;
    if (key.startsWith('visit.')) session.setVisitVar(key.slice(6), filled);
    else session.vars[key.replace(/^vars\./, '')] = filled;
  }
}

async function runAction(session: TurnSession, flowId: string, stepId: string, step: StepDefinition) {
  const name = step.action!;
  const action = session.input.actions.get(name);
  if (!action) throw new FlowRunError(`step ${flowId}.${stepId} calls the unknown action "${name}"`);
  const args = action.args.safeParse(interpolateValue(step.with ?? {}, session.scope));
  if (!args.success) {
    const issues = args.error.issues.map((i) => `${i.path.join('.') || 'with'}: ${i.message}`).join('; ');
    throw new FlowRunError(`step ${flowId}.${stepId}: arguments for ${name} do not fit: ${issues}`);
  }
  let result: ActionResult;
  try {
    result = await action.run(args.data, {
      contact: session.contact,
      conversationId: session.input.conversationId,
      channel: session.input.channel,
      locale: session.locale,
      vars: { ...session.vars },
      flowId,
      stepId,
      now: session.input.now,
      ...(session.inbound ? { input: session.inbound } : {}),
    });
  } catch (error) {
    throw new FlowRunError(`action ${name} failed in step ${flowId}.${stepId}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (result.vars) Object.assign(session.vars, result.vars);
  for (const name of result.unset ?? []) delete session.vars[name];
  for (const effect of result.effects ?? []) session.addEffect(effect);
  return result;
}

/** on[outcome] > branch > goto / goto_flow / next > end. */
export function nextTarget(
  session: TurnSession,
  flowId: string,
  step: StepDefinition,
  outcome: string | undefined,
): StepTarget | null {
  const byOutcome = outcome !== undefined ? step.on?.[outcome] : undefined;
  if (byOutcome) return { flowId, stepId: byOutcome };
  if (step.branch) {
    for (const branchCase of step.branch) {
      if (branchCase.when && !evaluateCondition(branchCase.when, session.scope)) continue;
      if (branchCase.end) return null;
      return jumpTarget(flowId, branchCase) ?? null;
    }
  }
  return jumpTarget(flowId, step) ?? (step.next ? { flowId, stepId: step.next } : null);
}

export function jumpTarget(
  flowId: string,
  jump: Pick<ButtonDefinition, 'goto' | 'goto_flow'>,
): StepTarget | undefined {
  if (jump.goto) return { flowId, stepId: jump.goto };
  if (jump.goto_flow) return parseFlowTarget(jump.goto_flow);
  return undefined;
}

/** `newsletter` or `newsletter.confirm`. */
export function parseFlowTarget(target: string): StepTarget {
  const [flowId, stepId] = target.split('.', 2) as [string, string | undefined];
  return { flowId, stepId };
}

export function render(session: TurnSession, text: Parameters<typeof pickLocalized>[0]): string {
  return interpolateText(
    pickLocalized(text, session.locale, session.settings.default_locale),
    session.scope,
  ).trim();
}

function pushText(messages: OutboundMessage[], text: string): void {
  if (text !== '') messages.push({ text });
}

function mediaMessage(session: TurnSession, media: NonNullable<StepDefinition['media']>): OutboundMessage {
  const caption = media.caption ? render(session, media.caption) : undefined;
  if (session.input.capabilities.supportsMedia) {
    return { media: { kind: media.kind, ref: media.url, ...(caption ? { caption } : {}) } };
  }
  // Text-only channels get the caption and a link instead of nothing.
  return { ...(caption ? { text: caption } : {}), link: { url: media.url } };
}

export function renderButtons(
  session: TurnSession,
  flowId: string,
  stepId: string,
  buttons: readonly ButtonDefinition[] | undefined,
): OutboundButton[] {
  return (buttons ?? []).map((button, index) => {
    const label = render(session, button.label);
    if (button.url) return { label, url: button.url };
    return { label, payload: button.payload ?? stepButtonPayload(flowId, stepId, index) };
  });
}

/** Buttons go on the step's last message, after any an action put there; a step without text gets a prompt. */
export function attachButtons(
  session: TurnSession,
  messages: OutboundMessage[],
  buttons: OutboundButton[],
): void {
  if (buttons.length === 0) return;
  let last = messages.at(-1);
  if (!last) {
    last = { text: session.text('choose_prompt') };
    messages.push(last);
  }
  last.buttons = [...(last.buttons ?? []), ...buttons];
}
