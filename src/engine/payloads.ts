/**
 * Button payloads the engine makes and reads: generated step buttons (`s:<flow>.<step>.<index>`, hashed to
 * `h:<hash>` when longer than platforms allow) and jump payloads (`go:<flow>.<step>?var=value`).
 */
import { createHash } from 'node:crypto';
import type { FlowSet } from '../flows/schema.js';
import type { Variables } from '../model/index.js';

/** Telegram allows 64 bytes of callback data; the tightest platform sets the limit for all. */
export const MAX_PAYLOAD_BYTES = 64;

export function stepButtonPayload(flowId: string, stepId: string, index: number): string {
  const plain = `s:${flowId}.${stepId}.${index}`;
  return Buffer.byteLength(plain, 'utf8') <= MAX_PAYLOAD_BYTES ? plain : hashedPayload(plain);
}

function hashedPayload(plain: string): string {
  return `h:${createHash('sha256').update(plain).digest('base64url').slice(0, 16)}`;
}

export interface StepButtonReference {
  flowId: string;
  stepId: string;
  index: number;
}

const STEP_PAYLOAD = /^s:([a-z][a-z0-9_-]*)\.([a-z][a-z0-9_-]*)\.(\d{1,3})$/;
const hashIndexCache = new WeakMap<FlowSet, Map<string, StepButtonReference>>();

/** Reads an `s:` or `h:` payload back into the step button it names (if that button still exists). */
export function parseStepButtonPayload(payload: string, flows: FlowSet): StepButtonReference | null {
  const plain = STEP_PAYLOAD.exec(payload);
  if (plain) {
    const ref = { flowId: plain[1]!, stepId: plain[2]!, index: Number(plain[3]) };
    const buttons = flows.flows.get(ref.flowId)?.definition.steps[ref.stepId]?.buttons;
    return buttons?.[ref.index] ? ref : null;
  }
  if (payload.startsWith('h:')) return hashIndex(flows).get(payload) ?? null;
  return null;
}

function hashIndex(flows: FlowSet): Map<string, StepButtonReference> {
  let index = hashIndexCache.get(flows);
  if (!index) {
    index = new Map();
    for (const [flowId, flow] of flows.flows) {
      for (const [stepId, step] of Object.entries(flow.definition.steps)) {
        step.buttons?.forEach((_button, i) => {
          const payload = stepButtonPayload(flowId, stepId, i);
          if (payload.startsWith('h:')) index!.set(payload, { flowId, stepId, index: i });
        });
      }
    }
    hashIndexCache.set(flows, index);
  }
  return index;
}

export interface JumpPayload {
  flowId: string;
  stepId: string | undefined;
  vars: Variables;
}

const JUMP_PAYLOAD = /^go:([a-z][a-z0-9_-]*)(?:\.([a-z][a-z0-9_-]*))?(?:\?(.*))?$/;

/** Reads `go:events.detail?event=tasting-0312` into a target and variables (values stay strings). */
export function parseJumpPayload(payload: string): JumpPayload | null {
  const match = JUMP_PAYLOAD.exec(payload);
  if (!match) return null;
  const vars: Variables = {};
  if (match[3]) {
    for (const [key, value] of new URLSearchParams(match[3])) {
      if (/^[a-z][a-z0-9_]*$/.test(key)) vars[key] = value;
    }
  }
  return { flowId: match[1]!, stepId: match[2], vars };
}

/**
 * Builds a jump payload for actions that offer dynamic buttons (events, FAQ candidates).
 * Throws when it would not fit a platform's payload limit, so the action notices at once.
 */
export function jumpPayload(target: string, vars: Record<string, string | number> = {}): string {
  const query = new URLSearchParams(Object.entries(vars).map(([k, v]) => [k, String(v)])).toString();
  const payload = `go:${target}${query ? `?${query}` : ''}`;
  if (Buffer.byteLength(payload, 'utf8') > MAX_PAYLOAD_BYTES) {
    throw new Error(`jump payload for ${target} is longer than ${MAX_PAYLOAD_BYTES} bytes`);
  }
  return payload;
}
