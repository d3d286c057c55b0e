/**
 * Fills `{{contact.firstName}}`, `{{vars.event_title}}` and `{{vars.x.y | "fallback"}}` into texts and action
 * arguments. Missing values render as their fallback or nothing, and the spacing around them heals itself
 * ("Hallo {{contact.firstName}}!" without a name becomes "Hallo!", not "Hallo !").
 */
import type { Contact, JsonValue, Variables } from '../model/index.js';

export interface InterpolationScope {
  contact: Pick<
    Contact,
    'firstName' | 'lastName' | 'displayName' | 'username' | 'locale' | 'channel' | 'attributes'
  >;
  vars: Readonly<Variables>;
  /** The current visit: `visit.returning` and the `visit.<name>` variables flows set. */
  visit?: { returning: boolean; vars: Readonly<Variables> };
}

const PLACEHOLDER = /\{\{\s*([a-zA-Z_][\w.-]*)\s*(?:\|\s*(?:"([^"]*)"|'([^']*)'))?\s*\}\}/g;
const WHOLE_PLACEHOLDER = /^\{\{\s*([a-zA-Z_][\w.-]*)\s*(?:\|\s*(?:"([^"]*)"|'([^']*)'))?\s*\}\}$/;
// A private-use character marks where an empty value was, so only the spacing we caused is tidied, never the marketer's own.
const EMPTY_MARK = '\uE000';

/** Looks up `contact.firstName`, `vars.a.b` or a bare `a.b` (read as `vars.a.b`). */
export function resolvePath(path: string, scope: InterpolationScope): JsonValue | undefined {
  const [head, ...rest] = path.split('.');
  let current: unknown;
  let remaining = rest;
  if (head === 'contact') {
    const [field, ...deeper] = rest;
    if (field === undefined) return undefined;
    current =
      field === 'attributes' ? scope.contact.attributes : (scope.contact as Record<string, unknown>)[field];
    remaining = deeper;
  } else if (head === 'vars') {
    current = scope.vars;
  } else if (head === 'visit') {
    const [field, ...deeper] = rest;
    if (field === undefined || !scope.visit) return undefined;
    current = field === 'returning' ? scope.visit.returning : scope.visit.vars[field];
    remaining = deeper;
  } else {
    current = scope.vars;
    remaining = head === undefined ? rest : [head, ...rest];
  }
  for (const key of remaining) {
    if (current === null || typeof current !== 'object') return undefined;
    current = Array.isArray(current) ? current[Number(key)] : (current as Record<string, unknown>)[key];
  }
  if (current === undefined) return undefined;
  if (current instanceof Date) return current.toISOString();
  return current as JsonValue;
}

function renderValue(value: JsonValue | undefined): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value))
    return value
      .map((v) => renderValue(v))
      .filter(Boolean)
      .join(', ');
  return JSON.stringify(value);
}

/** Interpolates a text for a customer. */
export function interpolateText(template: string, scope: InterpolationScope): string {
  if (!template.includes('{{')) return template;
  let sawEmpty = false;
  const filled = template.replace(PLACEHOLDER, (_match, path: string, dq?: string, sq?: string) => {
    const rendered = renderValue(resolvePath(path, scope));
    if (rendered.trim() !== '') return rendered;
    const fallback = dq ?? sq ?? '';
    if (fallback !== '') return fallback;
    sawEmpty = true;
    return EMPTY_MARK;
  });
  return sawEmpty ? healSpacing(filled) : filled;
}

function healSpacing(text: string): string {
  const M = EMPTY_MARK;
  return (
    text
      // Two empty values in a row are one gap: "Hallo {{a}} {{b}}!" → "Hallo!"
      .replace(new RegExp(`${M}(?:[ \\t]*${M})+`, 'g'), M)
      // Between two commas one stays: "Hallo, {{name}}, schön…" → "Hallo, schön…"
      .replace(new RegExp(`[ \\t]*,[ \\t]*${M}[ \\t]*,`, 'g'), ',')
      // A comma or dash that only led to the value goes with it: "Beide richtig, {{name}}! 🎉" → "Beide richtig! 🎉"
      .replace(new RegExp(`(?:[ \\t]*[,;]|[ \\t]+[–—-])[ \\t]*${M}[ \\t]*(?=[!?.,:;)\\]]|$)`, 'gm'), '')
      // At a line's start before a comma: "{{name}}, schön…" → "Schön…"
      .replace(new RegExp(`^[ \\t]*${M}[ \\t]*[,;][ \\t]*(\\p{Ll})?`, 'gmu'), (_m, first?: string) =>
        first ? first.toUpperCase() : '',
      )
      // Before punctuation: "Hallo !" → "Hallo!"
      .replace(new RegExp(`[ \\t]*${M}[ \\t]*(?=[!?.,:;)\\]])`, 'g'), '')
      // After an opening bracket: "( x)" → "(x)"
      .replace(new RegExp(`(?<=[([])[ \\t]*${M}[ \\t]*`, 'g'), '')
      // At a line's start or end
      .replace(new RegExp(`^[ \\t]*${M}[ \\t]*|[ \\t]*${M}[ \\t]*$`, 'gm'), '')
      // Between words: one space stays
      .replace(new RegExp(`[ \\t]*${M}[ \\t]*`, 'g'), ' ')
      .replaceAll(M, '')
  );
}

/**
 * Interpolates a step's `with:`/`set:` values: strings are filled in; a string that is exactly one
 * placeholder keeps the value's type (a number stays a number, a list a list).
 */
export function interpolateValue(value: unknown, scope: InterpolationScope): unknown {
  if (typeof value === 'string') {
    const whole = WHOLE_PLACEHOLDER.exec(value);
    if (whole?.[1]) {
      const raw = resolvePath(whole[1], scope);
      if (raw !== undefined && raw !== null && raw !== '') return raw;
      return whole[2] ?? whole[3] ?? (raw === null ? null : '');
    }
    return interpolateText(value, scope);
  }
  if (Array.isArray(value)) return value.map((v) => interpolateValue(v, scope));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolateValue(v, scope)]));
  }
  return value;
}
