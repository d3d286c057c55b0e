/**
 * `{{vars.name}}` and `{{contact.firstName}}` in texts: which placeholders a text uses and whether each
 * names something the engine can fill in. Values are interpolated at run time by the engine.
 */
import { didYouMean } from './suggest.js';

export const CONTACT_FIELDS = [
  'firstName',
  'lastName',
  'displayName',
  'locale',
  'channel',
  'username',
] as const;

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;

export interface Placeholder {
  /** What stands between the braces, trimmed: `vars.topic`. */
  expression: string;
  /** The `{{…}}` as written. */
  raw: string;
}

export function findPlaceholders(text: string): Placeholder[] {
  return [...text.matchAll(PLACEHOLDER)].map((match) => ({ expression: match[1] ?? '', raw: match[0] }));
}

export function containsPlaceholder(value: unknown): value is string {
  return typeof value === 'string' && findPlaceholders(value).length > 0;
}

/** `{{` without its `}}` (or the other way round): probably a typo that would show up in a message. */
export function hasUnbalancedBraces(text: string): boolean {
  const withoutPlaceholders = text.replace(PLACEHOLDER, '');
  return withoutPlaceholders.includes('{{') || withoutPlaceholders.includes('}}');
}

/**
 * Why the variable path (`vars.topic`, `contact.firstName`) cannot be filled in, or undefined when it can.
 * Used for placeholders and for the `var:` of branch conditions. The engine reads a bare `topic` as
 * `vars.topic`; that runs, so it is only a warning.
 */
export function explainUnknownVariablePath(
  path: string,
): { message: string; severity: 'error' | 'warning' } | undefined {
  const [root = '', field, ...rest] = path.split('.');
  if (root === 'vars') {
    if (!field || !/^[A-Za-z_][\w-]*$/.test(field) || rest.some((part) => part === '')) {
      return { message: `"${path}" needs a variable name after "vars.", e.g. vars.topic`, severity: 'error' };
    }
    return undefined;
  }
  if (root === 'contact') {
    if (field === 'attributes' && rest.length > 0) return undefined;
    if (field && (CONTACT_FIELDS as readonly string[]).includes(field) && rest.length === 0) return undefined;
    const known = [...CONTACT_FIELDS, 'attributes.<name>'].map((name) => `contact.${name}`).join(', ');
    return {
      message: `"${path}" is not a contact field${didYouMean(field ?? '', CONTACT_FIELDS)}; known: ${known}`,
      severity: 'error',
    };
  }
  if (root === 'visit') {
    if (field && /^[A-Za-z_][\w-]*$/.test(field) && rest.length === 0) return undefined;
    return {
      message: `"${path}" needs a name after "visit.", e.g. visit.returning or visit.greeted`,
      severity: 'error',
    };
  }
  if (IS_NAME.test(path)) {
    return {
      message: `"${path}" is read as "vars.${path}"; write "vars.${path}" to make that clear`,
      severity: 'warning',
    };
  }
  return {
    message: `"${path}" starts with neither "vars.", "contact." nor "visit."`,
    severity: 'error',
  };
}

const IS_NAME = /^[a-z][a-z0-9_-]*$/;

/** Problems with the placeholders of one text, as plain messages. */
export function placeholderProblems(text: string): { message: string; severity: 'error' | 'warning' }[] {
  const problems: { message: string; severity: 'error' | 'warning' }[] = [];
  for (const placeholder of findPlaceholders(text)) {
    // A filter after a pipe (`{{vars.name | Kunde}}`) is the engine's business; check the path only.
    const path = placeholder.expression.split('|')[0]?.trim() ?? '';
    const reason = path
      ? explainUnknownVariablePath(path)
      : { message: 'the placeholder is empty', severity: 'error' as const };
    if (reason)
      problems.push({
        message: `placeholder ${placeholder.raw}: ${reason.message}`,
        severity: reason.severity,
      });
  }
  if (hasUnbalancedBraces(text)) {
    problems.push({
      message: 'a "{{" or "}}" has no partner; placeholders look like {{vars.name}}',
      severity: 'warning',
    });
  }
  return problems;
}
