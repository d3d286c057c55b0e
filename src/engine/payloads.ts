/**
 * Button payloads the engine makes and reads: generated step buttons (`s:<flow>.<step>.<index>`, hashed to
 * `h:<hash>` when longer than platforms allow) and jump payloads (`go:<flow>.<step>?var=value`).
 */
import { createHash } from 'node:crypto';
import {
  generatedButtonPayload,
  MAX_PAYLOAD_BYTES,
  parseJumpPayload as readJumpPayload,
} from '../flows/references.js';
import type { FlowSet } from '../flows/schema.js';
import type { Variables } from '../model/index.js';

export { MAX_PAYLOAD_BYTES };

export function stepButtonPayload(flowId: string, stepId: string, index: number): string {
  const plain = generatedButtonPayload(flowId, stepId, index);
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

/**
 * Reads `go:events.detail?event=tasting-0312` into a target and variables (values stay strings), with the same
 * parser the flow validator checks payloads with; a malformed payload is no jump.
 */
export function parseJumpPayload(payload: string): JumpPayload | null {
  const parsed = readJumpPayload(payload);
  if (!parsed.ok) return null;
  return { flowId: parsed.jump.flowId, stepId: parsed.jump.stepId, vars: parsed.jump.vars };
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
