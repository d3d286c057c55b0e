/**
 * The action registry: named, pluggable operations a flow step can call (`action: newsletter.subscribe`).
 * Features register their actions here; the flow validator checks names, arguments and outcomes against it.
 */
import type { z } from 'zod';
import type { ChannelName, Contact, OutboundMessage, Variables } from '../model/index.js';

export interface ActionContext {
  contact: Contact;
  conversationId: string;
  channel: ChannelName;
  /** The locale the bot speaks with this contact (`de`, `en`). */
  locale: string;
  vars: Readonly<Variables>;
  flowId: string;
  stepId: string;
  now: Date;
  /** The message that led to this step, if the step runs in reply to one. */
  input?: { text?: string; payload?: string };
}

/** Things an action asks the runtime to do after the turn has been stored. */
export type EngineEffect =
  | { kind: 'handoff'; reason: string; team?: string }
  | { kind: 'set-locale'; locale: string }
  | { kind: 'tag-contact'; add?: string[]; remove?: string[] }
  | { kind: 'remember'; attributes: Variables }
  /**
   * Redact what the customer typed: every inbound transcript line and stored inbound event of this
   * conversation that contains one of `values` (case-insensitive) loses it, replaced by `marker`.
   */
  | { kind: 'forget-input'; values: string[]; marker: string };

export interface ActionResult {
  /** Selects the next step through the step's `on:` map; `ok` when absent. */
  outcome?: string;
  /** Merged into the conversation's `vars`. */
  vars?: Variables;
  /** Variables removed from the conversation's `vars` (after `vars` is merged). */
  unset?: string[];
  /** Sent after the step's own `say`, already in the contact's locale. */
  messages?: OutboundMessage[];
  effects?: EngineEffect[];
}

export interface ActionDefinition<Args = unknown> {
  /** `feature.verb`, e.g. `newsletter.subscribe`. */
  name: string;
  /** One line for `plausch actions` and error messages. */
  summary: string;
  /** Validates the step's `with:` block when flows are checked and before each run. */
  args: z.ZodType<Args>;
  /** Outcomes this action can report; the validator checks a step's `on:` keys against them. */
  outcomes: readonly string[];
  run(args: Args, context: ActionContext): Promise<ActionResult>;
}

export class ActionRegistry {
  readonly #actions = new Map<string, ActionDefinition>();

  register<Args>(action: ActionDefinition<Args>): this {
    if (this.#actions.has(action.name)) throw new Error(`action ${action.name} is registered twice`);
    this.#actions.set(action.name, action as ActionDefinition);
    return this;
  }

  get(name: string): ActionDefinition | undefined {
    return this.#actions.get(name);
  }

  names(): string[] {
    return [...this.#actions.keys()].sort();
  }

  list(): ActionDefinition[] {
    return this.names().map((name) => this.#actions.get(name)!);
  }
}
