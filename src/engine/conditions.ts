/** Evaluates a step's `branch` conditions (`{ var: vars.age, gte: 18 }`, all/any/not) over the variables. */
import type { Condition } from '../flows/schema.js';
import type { JsonValue } from '../model/index.js';
import { type InterpolationScope, resolvePath } from './interpolate.js';

type Scalar = string | number | boolean | null;

export function evaluateCondition(condition: Condition, scope: InterpolationScope): boolean {
  if ('all' in condition) return condition.all.every((c) => evaluateCondition(c, scope));
  if ('any' in condition) return condition.any.some((c) => evaluateCondition(c, scope));
  if ('not' in condition) return !evaluateCondition(condition.not, scope);

  const value = resolvePath(condition.var, scope);
  const checks: boolean[] = [];
  if (condition.exists !== undefined) checks.push(isPresent(value) === condition.exists);
  if (condition.equals !== undefined) checks.push(looselyEqual(value, condition.equals));
  if (condition.not_equals !== undefined) checks.push(!looselyEqual(value, condition.not_equals));
  if (condition.in !== undefined)
    checks.push(condition.in.some((candidate) => looselyEqual(value, candidate)));
  if (condition.gt !== undefined) checks.push(compare(value, (n) => n > condition.gt!));
  if (condition.gte !== undefined) checks.push(compare(value, (n) => n >= condition.gte!));
  if (condition.lt !== undefined) checks.push(compare(value, (n) => n < condition.lt!));
  if (condition.lte !== undefined) checks.push(compare(value, (n) => n <= condition.lte!));
  if (condition.contains !== undefined) checks.push(containsValue(value, condition.contains));
  if (condition.matches !== undefined) checks.push(matchesPattern(value, condition.matches));
  return checks.every(Boolean);
}

function isPresent(value: JsonValue | undefined): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value === 'string') return value.trim() !== '';
  if (Array.isArray(value)) return value.length > 0;
  return true;
}

/** Equal, treating `"18"` and `18`, `"true"` and `true` as the same: YAML and typed answers mix them. */
function looselyEqual(value: JsonValue | undefined, expected: Scalar): boolean {
  if (value === undefined) return expected === null;
  if (value === expected) return true;
  if (value === null || expected === null) return false;
  if (typeof value === 'object') return false;
  return String(value).toLowerCase() === String(expected).toLowerCase();
}

function compare(value: JsonValue | undefined, test: (n: number) => boolean): boolean {
  if (typeof value === 'number') return test(value);
  if (typeof value === 'string' && value.trim() !== '') {
    const n = Number(value.replace(',', '.'));
    return Number.isFinite(n) && test(n);
  }
  return false;
}

function containsValue(value: JsonValue | undefined, needle: string): boolean {
  if (typeof value === 'string') return value.toLowerCase().includes(needle.toLowerCase());
  if (Array.isArray(value)) return value.some((item) => looselyEqual(item, needle));
  return false;
}

function matchesPattern(value: JsonValue | undefined, pattern: string): boolean {
  if (value === undefined || value === null || typeof value === 'object') return false;
  try {
    return new RegExp(pattern, 'iu').test(String(value));
  } catch {
    // The validator reports bad patterns; at run time a bad pattern simply does not match.
    return false;
  }
}
