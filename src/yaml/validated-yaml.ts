/**
 * The one way Plausch reads its YAML data files (knowledge base, topics, events, campaigns, handoff settings):
 * parse with positions, validate with a zod schema, and report every problem as `file:line:column: message`.
 * Zod reports paths (`entries.3.questions.de`); the YAML document with a LineCounter turns them into
 * positions, so a marketer sees where to fix the file instead of a stack trace. (Flow files have a richer
 * reader of their own in `src/flows/`, with suggestions and cross-file checks.)
 */
import { readFileSync } from 'node:fs';
import { type Document, isMap, isScalar, LineCounter, type Node, parseDocument, visit } from 'yaml';
import type { z } from 'zod';
import { explainYamlError } from './plain-errors.js';

export interface SourceProblem {
  file: string;
  line: number;
  column: number;
  message: string;
}

export function formatProblem(problem: SourceProblem): string {
  return `${problem.file}:${problem.line}:${problem.column}: ${problem.message}`;
}

/** Thrown by loaders; its message lists every problem, one per line. */
export class SourceError extends Error {
  constructor(readonly problems: readonly SourceProblem[]) {
    super(problems.map(formatProblem).join('\n'));
    this.name = 'SourceError';
  }
}

/** A parsed YAML file that can still answer "where is this path?" after validation. */
export interface YamlSource {
  file: string;
  document: Document;
  lineCounter: LineCounter;
}

type PathKey = string | number;

/** Position of the node at `path`; for a key that is missing or unexpected, the closest existing parent. */
export function positionOf(source: YamlSource, path: readonly PathKey[], keyName?: string): SourceProblem {
  const at = (offset: number, message = ''): SourceProblem => {
    const { line, col } = source.lineCounter.linePos(offset);
    return { file: source.file, line, column: col, message };
  };
  for (let length = path.length; length >= 0; length--) {
    const node = source.document.getIn(path.slice(0, length), true) as Node | undefined;
    if (!node || typeof node !== 'object' || !('range' in node) || !node.range) continue;
    // Point at an unexpected key itself, not at the map that holds it.
    if (keyName !== undefined && length === path.length && isMap(node)) {
      const pair = node.items.find((item) => isScalar(item.key) && item.key.value === keyName);
      if (pair && isScalar(pair.key) && pair.key.range) return at(pair.key.range[0]);
    }
    return at(node.range[0]);
  }
  return at(0);
}

/** Position of the key `path`'s last element inside its map (e.g. a synonym head), else of its value. */
export function keyPositionOf(source: YamlSource, path: readonly PathKey[]): SourceProblem {
  const last = path[path.length - 1];
  return positionOf(source, path.slice(0, -1), typeof last === 'string' ? last : undefined);
}

export function readYamlSource(
  text: string,
  file: string,
): { source: YamlSource; problems: SourceProblem[] } {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const source: YamlSource = { file, document, lineCounter };
  const problems = [...document.errors, ...document.warnings].map((error) => {
    const { line, col } = lineCounter.linePos(error.pos[0]);
    // The parser's jargon becomes what to type instead (plain-errors.ts).
    return { file, line, column: col, message: `YAML syntax: ${explainYamlError(error, text)}` };
  });
  return { source, problems };
}

/** Most aliases one file may expand; YAML's own default, named here because loaders rely on it. */
export const MAX_YAML_ALIAS_COUNT = 100;

/**
 * `document.toJS()` that never throws: an alias bomb ("billion laughs"), an alias to an anchor that is not
 * set, or any other conversion failure becomes a positioned problem at the first alias concerned.
 */
export function documentToJs(
  document: Document,
  lineCounter: LineCounter,
  file: string,
): { ok: true; value: unknown } | { ok: false; problem: SourceProblem } {
  try {
    return { ok: true, value: document.toJS({ maxAliasCount: MAX_YAML_ALIAS_COUNT }) };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const unresolved = /Unresolved alias[^:]*:\s*(\S+)/.exec(reason)?.[1];
    let offset = 0;
    visit(document, {
      Alias(_key, node) {
        if (unresolved !== undefined && node.source !== unresolved) return undefined;
        offset = node.range?.[0] ?? 0;
        return visit.BREAK;
      },
    });
    const { line, col } = lineCounter.linePos(offset);
    const message = unresolved
      ? `alias *${unresolved} refers to no anchor &${unresolved} set before it`
      : /alias count/i.test(reason)
        ? `too many aliases (more than ${MAX_YAML_ALIAS_COUNT} expansions): simplify the anchors (&) and aliases (*)`
        : `cannot read the YAML: ${reason}`;
    return { ok: false, problem: { file, line, column: col, message } };
  }
}

function describeIssue(issue: z.core.$ZodIssue): { message: string; keyName?: string } {
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.map((key) => `"${key}"`).join(', ');
    return { message: `unknown key ${keys}`, keyName: issue.keys[0] };
  }
  return { message: issue.message };
}

/** Parses and validates; problems come back sorted by position. */
export function parseYamlWith<Schema extends z.ZodType>(
  schema: Schema,
  text: string,
  file: string,
): { ok: true; value: z.output<Schema>; source: YamlSource } | { ok: false; problems: SourceProblem[] } {
  const { source, problems } = readYamlSource(text, file);
  if (problems.length > 0) return { ok: false, problems };
  const js = documentToJs(source.document, source.lineCounter, file);
  if (!js.ok) return { ok: false, problems: [js.problem] };
  const result = schema.safeParse(js.value);
  if (result.success) return { ok: true, value: result.data, source };
  const positioned = result.error.issues.map((issue) => {
    const path = issue.path.filter((key): key is PathKey => typeof key !== 'symbol');
    const described = describeIssue(issue);
    const { keyName } = described;
    // Zod's default for a missing value ("Invalid input: expected …, received undefined") says nothing useful;
    // a schema's own message (e.g. what the value should look like) is kept.
    const missing = path.length > 0 && !source.document.hasIn(path);
    const message =
      missing && described.message.startsWith('Invalid input') ? 'is missing' : described.message;
    const where = positionOf(source, path, keyName);
    const field = path.length > 0 ? `${path.join('.')}: ` : '';
    return { ...where, message: `${field}${message}` };
  });
  positioned.sort((a, b) => a.line - b.line || a.column - b.column);
  return { ok: false, problems: positioned };
}

/** Parses and validates, or throws a SourceError listing every problem (for loaders that fail whole). */
export function parseYamlOrThrow<Schema extends z.ZodType>(
  schema: Schema,
  text: string,
  file: string,
): z.output<Schema> {
  const result = parseYamlWith(schema, text, file);
  if (!result.ok) throw new SourceError(result.problems);
  return result.value;
}

/** Reads `file` and parses it like `parseYamlOrThrow`; an unreadable file is a SourceError too. */
export function readYamlFileOrThrow<Schema extends z.ZodType>(
  schema: Schema,
  file: string,
): z.output<Schema> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new SourceError([{ file, line: 1, column: 1, message: `cannot read the file (${reason})` }]);
  }
  return parseYamlOrThrow(schema, text, file);
}
