/**
 * The working state of one engine turn: the contact and variables as they change, the messages and effects
 * collected so far, the trace, and the step budget that guards against loops.
 */
import type { FlowSettings } from '../flows/schema.js';
import { type Logger, silentLogger } from '../logger.js';
import type { Contact, OutboundMessage, Variables, VisitState } from '../model/index.js';
import type { EngineEffect } from './actions.js';
import { type BuiltinTextKey, builtinText } from './builtin-texts.js';
import type { InterpolationScope } from './interpolate.js';
import type { TurnInput } from './types.js';

/** Steps one turn may run before the engine decides the flow loops. */
export const MAX_STEPS_PER_TURN = 50;

/** Silence after which a message starts a new visit, unless settings.yaml says otherwise. */
export const DEFAULT_VISIT_TIMEOUT_MINUTES = 30;

export class StepBudgetExceeded extends Error {
  constructor() {
    super(`more than ${MAX_STEPS_PER_TURN} steps in one turn: the flow loops`);
  }
}

export class TurnSession {
  readonly input: TurnInput;
  readonly logger: Logger;
  contact: Contact;
  vars: Variables;
  /** The customer's visit as this turn sees it; stored with the state (see `currentVisit`). */
  visit: VisitState | undefined;
  messages: OutboundMessage[] = [];
  effects: EngineEffect[] = [];
  readonly trace: string[] = [];
  stepsRun = 0;
  /**
   * The customer's message this turn answers, passed to actions. `payload` is the chosen option's payload
   * also when it was picked by typing its number or label.
   */
  inbound: { text?: string; payload?: string } | undefined;

  constructor(input: TurnInput) {
    this.input = input;
    this.logger = (input.logger ?? silentLogger).child({
      conversationId: input.conversationId,
      channel: input.channel,
    });
    this.contact = {
      ...input.contact,
      tags: [...input.contact.tags],
      attributes: { ...input.contact.attributes },
    };
    this.vars = structuredClone(input.state.vars);
    this.visit = currentVisit(input);
    if (input.event.kind === 'message') {
      const { text, buttonPayload } = input.event;
      this.inbound = {
        ...(text !== undefined ? { text } : {}),
        ...(buttonPayload !== undefined ? { payload: buttonPayload } : {}),
      };
    }
  }

  get settings(): FlowSettings {
    return this.input.flows.settings;
  }

  get locale(): string {
    return this.contact.locale || this.settings.default_locale;
  }

  get scope(): InterpolationScope {
    return {
      contact: this.contact,
      vars: this.vars,
      visit: { returning: this.visit?.returning ?? false, vars: this.visit?.vars ?? {} },
    };
  }

  /** Sets a `visit.<name>` variable (kept for the rest of this visit). */
  setVisitVar(name: string, value: Variables[string]): void {
    const now = this.input.now.toISOString();
    this.visit ??= { startedAt: now, lastSeenAt: now, returning: false, vars: {} };
    this.visit.vars[name] = value;
  }

  text(key: BuiltinTextKey): string {
    return builtinText(key, this.settings, this.locale);
  }

  /** Counts a step; throws once the turn has run too many. */
  countStep(flowId: string, stepId: string): void {
    this.stepsRun += 1;
    if (this.stepsRun > MAX_STEPS_PER_TURN) throw new StepBudgetExceeded();
    this.trace.push(`${flowId}.${stepId}`);
  }

  /** Records an effect and mirrors it on the contact, so later steps of this turn speak the new locale. */
  addEffect(effect: EngineEffect): void {
    this.effects.push(effect);
    switch (effect.kind) {
      case 'set-locale':
        this.contact.locale = effect.locale;
        break;
      case 'tag-contact': {
        const tags = new Set(this.contact.tags);
        for (const tag of effect.add ?? []) tags.add(tag);
        for (const tag of effect.remove ?? []) tags.delete(tag);
        this.contact.tags = [...tags];
        break;
      }
      case 'remember':
        this.contact.attributes = { ...this.contact.attributes, ...effect.attributes };
        break;
      case 'handoff':
        break;
    }
  }
}

/**
 * The visit this turn belongs to. A customer message after `visit_timeout_minutes` of silence starts a new
 * visit, which is a returning one when there was an earlier visit; a contact known from before this version
 * kept no visit, so their age tells. Turns without a customer message (an agent hands back, a broadcast
 * button is scheduled) neither start a visit nor prolong it.
 */
function currentVisit(input: TurnInput): VisitState | undefined {
  const before = input.state.visit;
  if (input.event.kind !== 'message') return before ? structuredClone(before) : undefined;
  const now = input.now.getTime();
  const timeoutMs = (input.flows.settings.visit_timeout_minutes ?? DEFAULT_VISIT_TIMEOUT_MINUTES) * 60_000;
  const nowIso = input.now.toISOString();
  if (before && now - Date.parse(before.lastSeenAt) < timeoutMs) {
    return { ...structuredClone(before), lastSeenAt: nowIso };
  }
  const returning = before ? true : now - input.contact.createdAt.getTime() >= timeoutMs;
  return { startedAt: nowIso, lastSeenAt: nowIso, returning, vars: {} };
}
