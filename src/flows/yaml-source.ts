/**
 * A parsed YAML file that still knows where everything is: syntax errors and duplicate keys come back
 * as positioned problems, and any path (`steps.greet.buttons.1.goto`) can be turned into the 1-based
 * line:column of its key or value.
 */
import { type Document, isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import { explainYamlError, type YamlErrorLike } from '../yaml/plain-errors.js';
import type { FlowProblem } from './problems.js';

export type YamlPath = readonly (string | number)[];

export interface Position {
  line: number;
  column: number;
}

export interface YamlSource {
  file: string;
  text: string;
  document: Document;
  lineCounter: LineCounter;
}

/** Parses one file; the document is only safe to use when `problems` holds no error. */
export function parseYamlSource(text: string, file: string): { source: YamlSource; problems: FlowProblem[] } {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const source: YamlSource = { file, text, document, lineCounter };
  const problems: FlowProblem[] = [];
  for (const [issues, severity] of [
    [document.errors, 'error'],
    [document.warnings, 'warning'],
  ] as const) {
    for (const issue of issues) {
      const { line, col } = lineCounter.linePos(issue.pos[0]);
      const message = describeYamlIssue(issue, text);
      problems.push({ file, line, column: col, severity, message });
    }
  }
  return { source, problems };
}

function describeYamlIssue(issue: YamlErrorLike, text: string): string {
  if (issue.code === 'DUPLICATE_KEY') {
    const textFromIssue = text.slice(issue.pos[0]);
    const key = /^(["'])(.*?)\1/.exec(textFromIssue)?.[2] ?? /^[^\n:#]+/.exec(textFromIssue)?.[0].trim();
    return key
      ? `duplicate key "${key}": each key may appear only once in a block`
      : 'duplicate key: each key may appear only once in a block';
  }
  if (issue.code === 'MULTIPLE_DOCS')
    return 'one flow per file: remove the "---" separator or split the file';
  // The parser's jargon ("Nested mappings are not allowed in compact mappings") becomes what to type instead.
  return `YAML syntax: ${explainYamlError(issue, text)}`;
}

function positionAt(source: YamlSource, offset: number): Position {
  const { line, col } = source.lineCounter.linePos(offset);
  return { line, column: col };
}

function rangeStart(node: unknown): number | undefined {
  if (node && typeof node === 'object' && 'range' in node) {
    const range = (node as Node).range;
    if (range) return range[0];
  }
  return undefined;
}

/** The key node of `key` inside the map at `mapPath`, if both exist. */
function keyNode(source: YamlSource, mapPath: YamlPath, key: string | number): Node | undefined {
  const container = mapPath.length === 0 ? source.document.contents : source.document.getIn(mapPath, true);
  if (isMap(container)) {
    const pair = container.items.find((item) => isScalar(item.key) && String(item.key.value) === String(key));
    if (pair && isScalar(pair.key)) return pair.key;
  }
  if (isSeq(container) && typeof key === 'number') {
    const item = container.items[key];
    if (item && typeof item === 'object') return item as Node;
  }
  return undefined;
}

/**
 * Where the key at `path` is written (`goto:` of `steps.greet.goto`); for a list item, the item itself.
 * Falls back to the closest existing parent when the path does not exist (a missing required key).
 */
export function keyPosition(source: YamlSource, path: YamlPath): Position {
  for (let length = path.length; length > 0; length--) {
    const node = keyNode(source, path.slice(0, length - 1), path[length - 1] as string | number);
    const offset = rangeStart(node);
    if (offset !== undefined) return positionAt(source, offset);
  }
  return firstContentPosition(source);
}

/** Where the value at `path` starts; falls back to its key, then to the closest parent. */
export function valuePosition(source: YamlSource, path: YamlPath): Position {
  const node = path.length === 0 ? source.document.contents : source.document.getIn(path, true);
  const offset = rangeStart(node);
  if (offset !== undefined) return positionAt(source, offset);
  return keyPosition(source, path);
}

function firstContentPosition(source: YamlSource): Position {
  const offset = rangeStart(source.document.contents);
  return offset === undefined ? { line: 1, column: 1 } : positionAt(source, offset);
}

/** Keys of the map at `path` in the order they are written (`steps` order matters: the first is the start). */
export function mapKeysAt(source: YamlSource, path: YamlPath): string[] {
  const node = path.length === 0 ? source.document.contents : source.document.getIn(path, true);
  if (!isMap(node)) return [];
  return node.items.flatMap((item) => (isScalar(item.key) ? [String(item.key.value)] : []));
}

/**
 * The lines the entry at `path` spans, from its key (or list item) to the end of its value — what the
 * workbench highlights when a diagram node is clicked. Undefined when the path does not exist.
 */
export function nodeLineRange(source: YamlSource, path: YamlPath): { from: number; to: number } | undefined {
  if (path.length === 0) return undefined;
  const value = source.document.getIn(path, true) as Node | undefined;
  const key = keyNode(source, path.slice(0, -1), path[path.length - 1] as string | number);
  const start = rangeStart(key) ?? rangeStart(value);
  if (start === undefined) return undefined;
  const valueRange = value && typeof value === 'object' && 'range' in value ? value.range : undefined;
  const end = valueRange ? Math.max(valueRange[1] - 1, start) : start;
  return { from: positionAt(source, start).line, to: positionAt(source, end).line };
}
