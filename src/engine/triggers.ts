/**
 * Decides which flow an inbound message starts when no waiting step took it, in this order: jump payload
 * (`go:`), a stale step button (`s:`/`h:`), trigger payloads, start/referral payloads, keywords. The
 * fallback flow and the built-in "not understood" are the caller's last resort.
 */
import type { FlowSet } from '../flows/schema.js';
import type { Variables } from '../model/index.js';
import { containsPhrase, normalizeForMatching } from '../text/normalize.js';
import {
  type JumpPayload,
  parseJumpPayload,
  parseStepButtonPayload,
  type StepButtonReference,
} from './payloads.js';

export type TriggerMatch =
  | { kind: 'jump'; jump: JumpPayload }
  | { kind: 'stale-button'; button: StepButtonReference }
  | { kind: 'flow'; flowId: string; reason: 'payload' | 'start' | 'keyword'; vars: Variables };

export interface TriggerInput {
  text?: string;
  buttonPayload?: string;
  startPayload?: string;
  isStart?: boolean;
}

/** Payload-based triggers only (jump, stale button, trigger payloads): they win even over a free-text answer. */
export function findPayloadTrigger(input: TriggerInput, flows: FlowSet): TriggerMatch | null {
  const payload = input.buttonPayload;
  if (!payload) return null;
  const jump = parseJumpPayload(payload);
  const jumpFlow = jump ? flows.flows.get(jump.flowId)?.definition : undefined;
  if (jump && jumpFlow && (!jump.stepId || jumpFlow.steps[jump.stepId])) return { kind: 'jump', jump };
  const button = parseStepButtonPayload(payload, flows);
  if (button) return { kind: 'stale-button', button };
  const flowId = flowWithTriggerPayload(payload, flows);
  return flowId ? { kind: 'flow', flowId, reason: 'payload', vars: {} } : null;
}

/** Start triggers: `/start <payload>`, Get Started, referral links. */
export function findStartTrigger(input: TriggerInput, flows: FlowSet): TriggerMatch | null {
  const startPayload = input.startPayload?.trim();
  if (startPayload) {
    const byPayload = flowWithTriggerPayload(startPayload, flows);
    if (byPayload)
      return { kind: 'flow', flowId: byPayload, reason: 'payload', vars: { start_payload: startPayload } };
    let best: { flowId: string; length: number } | null = null;
    for (const [flowId, flow] of sortedFlows(flows)) {
      const prefix = flow.definition.triggers?.start_prefix;
      if (prefix && startPayload.startsWith(prefix) && (!best || prefix.length > best.length)) {
        best = { flowId, length: prefix.length };
      }
    }
    const flowId = best?.flowId ?? startFlowId(flows);
    return flowId ? { kind: 'flow', flowId, reason: 'start', vars: { start_payload: startPayload } } : null;
  }
  if (input.isStart) {
    const flowId = startFlowId(flows);
    return flowId ? { kind: 'flow', flowId, reason: 'start', vars: {} } : null;
  }
  return null;
}

/** Keyword triggers: whole-word phrases, any locale's list for everyone; the longest keyword wins. */
export function findKeywordTrigger(text: string | undefined, flows: FlowSet): TriggerMatch | null {
  if (!text) return null;
  const normalized = normalizeForMatching(text);
  if (!normalized) return null;
  let best: { flowId: string; length: number } | null = null;
  for (const { flowId, keyword } of keywordIndex(flows)) {
    if (containsPhrase(normalized, keyword) && (!best || keyword.length > best.length)) {
      best = { flowId, length: keyword.length };
    }
  }
  return best ? { kind: 'flow', flowId: best.flowId, reason: 'keyword', vars: {} } : null;
}

/** Every trigger in priority order. */
export function findTrigger(input: TriggerInput, flows: FlowSet): TriggerMatch | null {
  return (
    findPayloadTrigger(input, flows) ??
    findStartTrigger(input, flows) ??
    findKeywordTrigger(input.text, flows)
  );
}

export function fallbackFlowId(flows: FlowSet): string | null {
  for (const [flowId, flow] of sortedFlows(flows)) if (flow.definition.triggers?.fallback) return flowId;
  return null;
}

/** The flow that answers questions asked at another flow's prompt (`triggers: { question: true }`). */
export function questionFlowId(flows: FlowSet): string | null {
  for (const [flowId, flow] of sortedFlows(flows)) if (flow.definition.triggers?.question) return flowId;
  return null;
}

export function startFlowId(flows: FlowSet): string | null {
  for (const [flowId, flow] of sortedFlows(flows)) if (flow.definition.triggers?.start) return flowId;
  return null;
}

function flowWithTriggerPayload(payload: string, flows: FlowSet): string | null {
  for (const [flowId, flow] of sortedFlows(flows)) {
    if (flow.definition.triggers?.payloads?.includes(payload)) return flowId;
  }
  return null;
}

const sortedCache = new WeakMap<
  FlowSet,
  Array<[string, FlowSet['flows'] extends ReadonlyMap<string, infer F> ? F : never]>
>();

/** Flows by id, so ties are broken the same way every time. */
function sortedFlows(flows: FlowSet) {
  let sorted = sortedCache.get(flows);
  if (!sorted) {
    sorted = [...flows.flows.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    sortedCache.set(flows, sorted);
  }
  return sorted;
}

const keywordCache = new WeakMap<FlowSet, Array<{ flowId: string; keyword: string }>>();

function keywordIndex(flows: FlowSet): Array<{ flowId: string; keyword: string }> {
  let index = keywordCache.get(flows);
  if (!index) {
    index = [];
    for (const [flowId, flow] of sortedFlows(flows)) {
      const keywords = flow.definition.triggers?.keywords;
      if (!keywords) continue;
      const lists = Array.isArray(keywords) ? [keywords] : Object.values(keywords);
      for (const keyword of lists.flat()) {
        const normalized = normalizeForMatching(keyword);
        if (normalized) index.push({ flowId, keyword: normalized });
      }
    }
    keywordCache.set(flows, index);
  }
  return index;
}
