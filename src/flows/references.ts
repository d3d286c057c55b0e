/**
 * The ways one place in a flow names another: `goto_flow: newsletter.confirm`, jump payloads
 * `go:events.detail?event_id=e42` and generated button payloads `s:<flow>.<step>.<index>`.
 * Parsing lives here so the validator, the graph and the engine read them the same way.
 */
import { IDENTIFIER } from './schema.js';

export interface StepReference {
  flowId: string;
  /** Absent when only the flow is named: its start step is meant. */
  stepId?: string;
}

const NAME = IDENTIFIER.source.slice(1, -1);
const FLOW_REFERENCE = new RegExp(`^(${NAME})(?:\\.(${NAME}))?$`);
const JUMP_PAYLOAD = new RegExp(`^go:(${NAME})(?:\\.(${NAME}))?(?:\\?(.*))?$`);

/** Jump payloads travel as button payloads, which Telegram caps at 64 bytes. */
export const MAX_PAYLOAD_BYTES = 64;

/** `newsletter` or `newsletter.confirm`; undefined when the text is neither. */
export function parseFlowReference(text: string): StepReference | undefined {
  const match = FLOW_REFERENCE.exec(text);
  if (!match?.[1]) return undefined;
  return match[2] ? { flowId: match[1], stepId: match[2] } : { flowId: match[1] };
}

export interface JumpPayload {
  flowId: string;
  /** Absent for `go:flow`: the flow's start step. */
  stepId?: string;
  vars: Record<string, string>;
}

export function isJumpPayload(payload: string): boolean {
  return payload.startsWith('go:');
}

/** `go:flow.step?var=value&…` (or `go:flow`), read as the engine reads it, or a reason why it is not one. */
export function parseJumpPayload(
  payload: string,
): { ok: true; jump: JumpPayload } | { ok: false; reason: string } {
  const match = JUMP_PAYLOAD.exec(payload);
  if (!match?.[1]) {
    return {
      ok: false,
      reason: 'a jump payload looks like go:flow.step or go:flow.step?name=value&name2=value2',
    };
  }
  const vars: Record<string, string> = {};
  if (match[3]) {
    for (const part of match[3].split('&')) {
      const [name = '', ...rest] = part.split('=');
      // The engine silently drops variables whose names do not look like this; say so instead.
      if (!VARIABLE_NAME.test(name) || rest.length === 0) {
        return {
          ok: false,
          reason: `"${part}" in a jump payload must look like name=value (name: a-z, 0-9 and _)`,
        };
      }
    }
    for (const [name, value] of new URLSearchParams(match[3])) vars[name] = value;
  }
  const jump = match[2] ? { flowId: match[1], stepId: match[2], vars } : { flowId: match[1], vars };
  return { ok: true, jump };
}

const VARIABLE_NAME = /^[a-z][a-z0-9_]*$/;

/** Payload of the `index`-th button of a step when the button sets none itself. */
export function generatedButtonPayload(flowId: string, stepId: string, index: number): string {
  return `s:${flowId}.${stepId}.${index}`;
}

/** Prefixes the engine keeps for its generated payloads (`h:` is a hashed `s:` that was too long); a marketer's payload must not start with them. */
export const RESERVED_PAYLOAD_PREFIXES = ['s:', 'h:'] as const;
