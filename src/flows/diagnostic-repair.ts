/**
 * So that one run shows every mistake: when a flow file fails its shape check, the offending keys are
 * cut away (an unknown `nxt:`, a misspelt `expect:` value) until the rest passes. The repaired flow is
 * used only to run the cross-file checks on the rest of the file; it is never loaded.
 */
import type { z } from 'zod';
import { type FlowDefinition, flowSchema } from './schema.js';

type Issue = z.core.$ZodIssue;
type PathKey = string | number;

const MAX_ROUNDS = 12;

/** The flow without the parts that failed, or undefined when what failed cannot simply be left out. */
export function repairForDiagnosis(value: unknown): FlowDefinition | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const current: unknown = structuredClone(value);
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const result = flowSchema.safeParse(current);
    if (result.success) return result.data;
    let changed = false;
    for (const issue of result.error.issues) changed = removeOffendingPart(current, issue) || changed;
    if (!changed) return undefined;
  }
  return undefined;
}

function removeOffendingPart(root: unknown, issue: Issue): boolean {
  const path = issue.path.filter((key): key is PathKey => typeof key !== 'symbol');
  if (issue.code === 'unrecognized_keys') {
    const holder = valueAt(root, path);
    if (!isRecord(holder)) return false;
    for (const key of issue.keys) delete holder[key];
    return issue.keys.length > 0;
  }
  if (issue.code === 'custom') {
    // A refinement over a block (`"with" needs an "action"`): drop the first key it names.
    const holder = valueAt(root, path);
    if (!isRecord(holder)) return false;
    const named = (issue.message.match(/[a-z_]+/g) ?? []).find((word) => word in holder);
    if (!named) return false;
    delete holder[named];
    return true;
  }
  // Anything else points at a bad value: drop its key. Steps and list items are not dropped: that would
  // shift positions or raise follow-up errors ("no step …") about parts that are really there.
  const last = path[path.length - 1];
  if (typeof last !== 'string' || path.length < 2 || (path.length === 2 && path[0] === 'steps')) return false;
  const holder = valueAt(root, path.slice(0, -1));
  if (!isRecord(holder) || !(last in holder)) return false;
  delete holder[last];
  return true;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function valueAt(root: unknown, path: readonly PathKey[]): unknown {
  let current = root;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PathKey, unknown>)[key];
  }
  return current;
}
