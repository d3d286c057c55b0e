/**
 * Reads a YAML file against a zod schema and reports every problem as `file:line:column: message`, so a
 * marketer editing topics or events sees where to fix the file. Shared by the newsletter and events loaders.
 */
import { readFileSync } from 'node:fs';
import { isMap, isScalar, LineCounter, type Node, parseDocument } from 'yaml';
import type { z } from 'zod';

export class YamlFileError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.join('\n'));
    this.name = 'YamlFileError';
  }
}

/** Parses `text` (named `file` in messages) with `schema`; throws a YamlFileError listing every problem. */
export function parseYamlText<Schema extends z.ZodType>(
  schema: Schema,
  text: string,
  file: string,
): z.output<Schema> {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const position = (offset: number) => {
    const { line, col } = lineCounter.linePos(offset);
    return `${file}:${line}:${col}`;
  };
  if (document.errors.length > 0) {
    throw new YamlFileError(
      document.errors.map((e) => `${position(e.pos[0])}: ${e.message.split('\n')[0] ?? e.message}`),
    );
  }
  const parsed = schema.safeParse(document.toJS());
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => {
    const path = issue.path.filter((key): key is string | number => typeof key !== 'symbol');
    // The deepest node that exists: a missing key is reported at its parent.
    let offset = 0;
    for (let length = path.length; length >= 0; length--) {
      const node = document.getIn(path.slice(0, length), true) as Node | undefined;
      if (node && typeof node === 'object' && 'range' in node && node.range) {
        offset = node.range[0];
        // An unknown key is pointed at itself, not at the map holding it.
        if (issue.code === 'unrecognized_keys' && length === path.length && isMap(node)) {
          const pair = node.items.find((item) => isScalar(item.key) && item.key.value === issue.keys[0]);
          if (pair && isScalar(pair.key) && pair.key.range) offset = pair.key.range[0];
        }
        break;
      }
    }
    const field = path.length > 0 ? `${path.join('.')}: ` : '';
    const message =
      issue.code === 'unrecognized_keys'
        ? `unknown key ${issue.keys.map((k) => `"${k}"`).join(', ')}`
        : issue.message;
    return { offset, text: `${position(offset)}: ${field}${message}` };
  });
  problems.sort((a, b) => a.offset - b.offset);
  throw new YamlFileError(problems.map((p) => p.text));
}

export function parseYamlFile<Schema extends z.ZodType>(schema: Schema, file: string): z.output<Schema> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new YamlFileError([
      `${file}: cannot read file (${error instanceof Error ? error.message : String(error)})`,
    ]);
  }
  return parseYamlText(schema, text, file);
}
