/**
 * A parsed YAML file that still knows where everything is: syntax errors and duplicate keys come back
 * as positioned problems, and any path (`steps.greet.buttons.1.goto`) can be turned into the 1-based
 * line:column of its key or value.
 */
import { type Document, isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
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
      const message = describeYamlIssue(issue.code, issue.message, text.slice(issue.pos[0]));
      problems.push({ file, line, column: col, severity, message });
    }
  }
  return { source, problems };
}

function describeYamlIssue(code: string, message: string, textFromIssue: string): string {
  if (code === 'DUPLICATE_KEY') {
    const key = /^(["'])(.*?)\1/.exec(textFromIssue)?.[2] ?? /^[^\n:#]+/.exec(textFromIssue)?.[0].trim();
    return key
      ? `duplicate key "${key}": each key may appear only once in a block`
      : 'duplicate key: each key may appear only once in a block';
  }
  if (code === 'MULTIPLE_DOCS') return 'one flow per file: remove the "---" separator or split the file';
  if (code === 'TAB_AS_INDENT') return 'YAML syntax: indent with spaces, not tabs';
  // yaml's messages repeat the position ("at line 3, column 5:") and quote the source; keep the sentence.
  const firstLine = message.split('\n')[0] ?? message;
  return `YAML syntax: ${firstLine.replace(/ at line \d+, column \d+:?$/, '')}`;
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
