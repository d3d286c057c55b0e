/**
 * Turns zod issues into problems a marketer can act on: positioned at the offending key or value,
 * worded in plain language, with "did you mean …?" for misspelt keys and values. Unions (a text or a
 * per-locale map) report the alternative that came closest instead of zod's "Invalid input".
 */
import { z } from 'zod';
import type { FlowProblem } from './problems.js';
import { didYouMean } from './suggest.js';
import { keyPosition, mapKeysAt, valuePosition, type YamlPath, type YamlSource } from './yaml-source.js';

type Issue = z.core.$ZodIssue;

/** Validates `value` (the document at `basePath`) and returns its problems, or the parsed value. */
export function parseWithPositions<Schema extends z.ZodType>(
  schema: Schema,
  value: unknown,
  source: YamlSource,
  basePath: YamlPath = [],
  /** Issues to pass over, by path relative to `value` (e.g. texts with `{{…}}`, filled in at run time). */
  skipIssueAt?: (path: YamlPath) => boolean,
): { ok: true; value: z.output<Schema> } | { ok: false; problems: FlowProblem[] } {
  const result = schema.safeParse(value);
  if (result.success) return { ok: true, value: result.data };
  const problems = result.error.issues
    .filter(
      (issue) => !skipIssueAt?.(issue.path.filter((key): key is string | number => typeof key !== 'symbol')),
    )
    .flatMap((issue) => describeIssue({ schema, root: value, source, basePath }, issue, []));
  return { ok: false, problems };
}

interface IssueContext {
  /** The schema the issue paths are relative to, with the value it checked. */
  schema: z.ZodType;
  root: unknown;
  source: YamlSource;
  basePath: YamlPath;
}

function describeIssue(context: IssueContext, issue: Issue, prefix: YamlPath): FlowProblem[] {
  const relative: YamlPath = [
    ...prefix,
    ...issue.path.filter((key): key is string | number => typeof key !== 'symbol'),
  ];
  const absolute: YamlPath = [...context.basePath, ...relative];
  const value = valueAt(context.root, relative);
  const field = fieldName(relative);
  const at = (position: { line: number; column: number }, message: string): FlowProblem => ({
    file: context.source.file,
    ...position,
    message,
    severity: 'error',
  });

  switch (issue.code) {
    case 'unrecognized_keys': {
      const allowed = allowedKeysAt(context.schema, relative);
      return issue.keys.map((key) => {
        const hint = didYouMean(key, allowed);
        const list = hint || allowed.length === 0 ? '' : `; allowed here: ${allowed.join(', ')}`;
        return at(keyPosition(context.source, [...absolute, key]), `unknown key "${key}"${hint}${list}`);
      });
    }
    case 'invalid_union': {
      const best = closestAlternative(issue.errors);
      if (best) return best.flatMap((inner) => describeIssue(context, inner, relative));
      return [
        at(
          valuePosition(context.source, absolute),
          `${field}expected ${unionExpectation(issue)}, got ${describeValue(value)}`,
        ),
      ];
    }
    case 'invalid_key': {
      const key = relative[relative.length - 1];
      const reason = issue.issues[0]?.message ?? 'invalid name';
      if (value === null) {
        // `{ de: Ja, bitte }` splits at the comma: the second half becomes a key without a value.
        const hint =
          'if this is part of a text, put the whole text in quotes (a comma inside { … } starts a new entry)';
        return [at(keyPosition(context.source, absolute), `"${String(key)}": ${reason}; ${hint}`)];
      }
      const problems = [at(keyPosition(context.source, absolute), `"${String(key)}": ${reason}`)];
      // zod skips the value of a badly named entry; check it anyway so every mistake shows at once.
      for (const valueSchema of recordValueSchemasAt(context.schema, relative.slice(0, -1))) {
        const inner = valueSchema.safeParse(value);
        if (!inner.success) {
          const nested = { ...context, schema: valueSchema, root: value, basePath: absolute };
          problems.push(...inner.error.issues.flatMap((innerIssue) => describeIssue(nested, innerIssue, [])));
        }
      }
      return problems;
    }
    case 'invalid_type': {
      if (value === undefined) {
        return [
          at(
            keyPosition(context.source, absolute),
            `missing required key "${String(relative[relative.length - 1])}"`,
          ),
        ];
      }
      return [
        at(
          valuePosition(context.source, absolute),
          `${field}expected ${typeName(issue.expected)}, got ${describeValue(value)}`,
        ),
      ];
    }
    case 'invalid_value': {
      const options = issue.values.map((option) => String(option));
      const hint = typeof value === 'string' ? didYouMean(value, options) : '';
      const message =
        options.length === 1 ? `must be ${options[0]}` : `must be one of ${options.join(', ')}${hint}`;
      return [at(valuePosition(context.source, absolute), `${field}${message}`)];
    }
    case 'too_small':
    case 'too_big':
      return [at(valuePosition(context.source, absolute), `${field}${sizeMessage(issue)}`)];
    case 'invalid_format':
      return [at(valuePosition(context.source, absolute), `${field}${formatMessage(issue)}`)];
    case 'custom':
      return [at(customIssuePosition(context.source, absolute, issue.message), issue.message)];
    default:
      return [at(valuePosition(context.source, absolute), `${field}${issue.message}`)];
  }
}

/** `"goto": ` for a message about one key; nothing for the document itself. */
function fieldName(path: YamlPath): string {
  for (let index = path.length - 1; index >= 0; index--) {
    const key = path[index];
    if (typeof key === 'string')
      return index === path.length - 1 ? `"${key}": ` : `"${key}" entry ${String(path[index + 1])}: `;
  }
  return '';
}

export function valueAt(root: unknown, path: YamlPath): unknown {
  let current = root;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[key];
  }
  return current;
}

/**
 * Among a union's alternatives, the one whose problems lie deeper than "wrong type here": that is the
 * one the author meant (`say: { de: "" }` meant the per-locale map, not a plain text).
 */
function closestAlternative(alternatives: Issue[][]): Issue[] | undefined {
  const meaningful = alternatives.filter(
    (issues) => !issues.some((issue) => issue.path.length === 0 && isTypeMismatch(issue)),
  );
  if (meaningful.length === 0) return undefined;
  return meaningful.reduce((best, issues) => (issues.length < best.length ? issues : best));
}

function isTypeMismatch(issue: Issue): boolean {
  if (issue.code === 'invalid_type') return true;
  if (issue.code === 'invalid_union')
    return issue.errors.every((issues) =>
      issues.some((inner) => inner.path.length === 0 && isTypeMismatch(inner)),
    );
  return false;
}

function unionExpectation(issue: Issue): string {
  const names = new Set<string>();
  const collect = (inner: Issue) => {
    if (inner.code === 'invalid_type') names.add(typeName(inner.expected));
    if (inner.code === 'invalid_union') for (const issues of inner.errors) issues.forEach(collect);
  };
  collect(issue);
  const list = [...names];
  if (list.length === 0) return 'a different value';
  return list.length === 1 ? (list[0] ?? '') : `${list.slice(0, -1).join(', ')} or ${list[list.length - 1]}`;
}

function typeName(expected: string): string {
  switch (expected) {
    case 'string':
      return 'a text';
    case 'number':
    case 'int':
      return 'a number';
    case 'boolean':
      return 'true or false';
    case 'record':
    case 'object':
      return 'a block of "key: value" lines';
    case 'array':
      return 'a list ("- " items)';
    case 'null':
      return 'nothing';
    default:
      return expected;
  }
}

function describeValue(value: unknown): string {
  if (value === null) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return `the text "${value.length > 30 ? `${value.slice(0, 30)}…` : value}"`;
  if (typeof value === 'object') return 'a block of keys';
  return `${typeof value} ${String(value)}`;
}

function sizeMessage(issue: Extract<Issue, { code: 'too_small' | 'too_big' }>): string {
  if (!/^Too (small|big)/.test(issue.message)) return issue.message;
  const bound = String(issue.code === 'too_small' ? issue.minimum : issue.maximum);
  const least = issue.code === 'too_small' ? 'at least' : 'at most';
  switch (issue.origin) {
    case 'string':
      return issue.code === 'too_small' && bound === '1'
        ? 'must not be empty'
        : `must have ${least} ${bound} characters`;
    case 'array':
    case 'set':
      return `needs ${least} ${bound} ${bound === '1' ? 'entry' : 'entries'}`;
    default:
      return `must be ${least} ${bound}`;
  }
}

function formatMessage(issue: Extract<Issue, { code: 'invalid_format' }>): string {
  if (!issue.message.startsWith('Invalid')) return issue.message;
  if (issue.format === 'url') return 'must be a full URL such as https://example.com/bild.jpg';
  if (issue.format === 'regex') return 'has a form that is not allowed here';
  return `must be a valid ${issue.format}`;
}

/** A refinement names keys in its message (`"with" needs an "action"`): point at the first one written. */
function customIssuePosition(source: YamlSource, path: YamlPath, message: string) {
  const keys = new Set(mapKeysAt(source, path));
  for (const word of message.match(/[a-z_]+/g) ?? []) {
    if (keys.has(word)) return keyPosition(source, [...path, word]);
  }
  return keyPosition(source, path);
}

/** Every schema that could describe the value at `path` (several below a union). */
function schemasAt(schema: z.ZodType, path: YamlPath): z.ZodType[] {
  let current: z.ZodType[] = [schema];
  for (const key of path) {
    current = current.flatMap(unwrap).flatMap((candidate) => childSchemas(candidate, key));
  }
  return current.flatMap(unwrap);
}

function childSchemas(schema: z.ZodType, key: string | number): z.ZodType[] {
  if (schema instanceof z.ZodObject) {
    const child = (schema.shape as Record<string, z.ZodType>)[String(key)];
    return child ? [child] : [];
  }
  if (schema instanceof z.ZodRecord) return [schema.valueType as z.ZodType];
  if (schema instanceof z.ZodArray) return typeof key === 'number' ? [schema.element as z.ZodType] : [];
  return [];
}

/** Looks through optional, default, pipe, lazy and union wrappers to the schemas that check shapes. */
function unwrap(schema: z.ZodType): z.ZodType[] {
  if (schema instanceof z.ZodOptional || schema instanceof z.ZodNullable || schema instanceof z.ZodDefault) {
    return unwrap(schema.unwrap() as z.ZodType);
  }
  if (schema instanceof z.ZodPipe) return unwrap(schema.in as z.ZodType);
  if (schema instanceof z.ZodLazy) return unwrap(schema.unwrap() as z.ZodType);
  if (schema instanceof z.ZodUnion) return (schema.options as z.ZodType[]).flatMap(unwrap);
  return [schema];
}

function allowedKeysAt(schema: z.ZodType, path: YamlPath): string[] {
  const keys = schemasAt(schema, path).flatMap((candidate) =>
    candidate instanceof z.ZodObject ? Object.keys(candidate.shape) : [],
  );
  return [...new Set(keys)];
}

function recordValueSchemasAt(schema: z.ZodType, path: YamlPath): z.ZodType[] {
  return schemasAt(schema, path).flatMap((candidate) =>
    candidate instanceof z.ZodRecord ? [candidate.valueType as z.ZodType] : [],
  );
}
