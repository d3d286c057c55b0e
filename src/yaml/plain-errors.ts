/**
 * YAML syntax errors in plain words. The `yaml` package reports in parser terms ("Nested mappings are not
 * allowed in compact mappings"); a marketer needs to know what to type instead ("put the text in quotes:
 * a colon inside a text starts a new key"). One entry per error code of the package, some looking at the
 * line the error is on to tell the usual causes apart. Unknown codes keep the parser's first sentence.
 */

export interface YamlErrorLike {
  code: string;
  message: string;
  /** Offsets into the source where the error starts (and ends). */
  pos: readonly [number, number] | readonly number[];
}

type Explainer = (context: { line: string; at: string; message: string }) => string;

const QUOTE_HINT = 'put the text in double quotes';

/** What each error code of the yaml package usually means in a hand-written file. */
export const YAML_ERROR_EXPLANATIONS: Readonly<Record<string, Explainer>> = {
  BLOCK_AS_IMPLICIT_KEY: ({ line }) =>
    hasSecondColon(line)
      ? `${QUOTE_HINT}: a colon followed by a space inside a text starts a new key (write say: "Achtung: heiß")`
      : 'this line is indented further than the line above: a new key must start at the same column as its neighbours',
  MULTILINE_IMPLICIT_KEY: () =>
    'a key must be on one line and end with a colon: add the missing ":" or indent this line like its neighbours',
  BAD_INDENT: ({ message }) =>
    /flow (map|sequence)/i.test(message)
      ? `a list in [ ] or a block in { } is not closed: add the missing ${/sequence/i.test(message) ? '"]"' : '"}"'} at the end of the line`
      : 'the indentation does not line up: keys of one block must start at the same column (use spaces, two per level)',
  TAB_AS_INDENT: () => 'indent with spaces, not tabs',
  MISSING_CHAR: ({ message }) => {
    if (/quote/i.test(message)) return 'a text in quotes is not closed: add the closing quote at its end';
    if (/\]/.test(message)) return 'a list in [ ] is not closed: add the missing "]"';
    if (/\}/.test(message)) return 'a block in { } is not closed: add the missing "}"';
    return `a character is missing here (${message.split('\n')[0] ?? message})`;
  },
  UNEXPECTED_TOKEN: ({ line, at, message }) => {
    if (/^Not a YAML token/.test(message) && /[|>]/.test(line))
      return 'after "|" or ">" start the text on the next line, indented';
    if (/'[^']*'\S/.test(line))
      return `an apostrophe ends a text in single quotes: write it twice ('It''s') or ${QUOTE_HINT}`;
    if (/"[^"]*"[^\s,}\]#]/.test(line) || /^\s*\S/.test(at))
      return `there is more text after the closing quote: ${QUOTE_HINT} around the whole text`;
    return `unexpected text here: ${QUOTE_HINT} if it belongs to a text`;
  },
  BAD_SCALAR_START: ({ at }) =>
    `a text cannot start with "${at.charAt(0)}": ${QUOTE_HINT} (say: "${at.split('\n')[0]?.trim() ?? ''}")`,
  BLOCK_IN_FLOW: () =>
    `inside { } or [ ] a colon or dash starts a new entry: ${QUOTE_HINT} ({ de: "Achtung: heiß" })`,
  BAD_DQ_ESCAPE: () =>
    'a backslash inside double quotes starts a special character: write \\\\ for a backslash, or use single quotes',
  DUPLICATE_KEY: () => 'this key appears twice in the same block: each key may appear only once',
  MULTIPLE_DOCS: () => 'one file holds one document: remove the "---" separator or split the file',
  KEY_OVER_1024_CHARS: () =>
    'a very long line is read as a key: a colon is missing on an earlier line, or the text needs quotes',
  BAD_ALIAS: () => `"*" starts a reference to an anchor: ${QUOTE_HINT} if you meant a star`,
  ALIAS_PROPS: () => `"*" starts a reference to an anchor: ${QUOTE_HINT} if you meant a star`,
  MULTIPLE_ANCHORS: () => `"&" names an anchor and may be used once: ${QUOTE_HINT} if it belongs to a text`,
  MULTIPLE_TAGS: () => `"!" starts a type tag and may be used once: ${QUOTE_HINT} if it belongs to a text`,
  BAD_PROP_ORDER: () => `"&" and "!" have a special meaning at the start of a value: ${QUOTE_HINT}`,
  TAG_RESOLVE_FAILED: () => `"!" at the start of a value names a type: ${QUOTE_HINT}`,
  BAD_COLLECTION_TYPE: () => `"!" at the start of a value names a type: ${QUOTE_HINT}`,
  BAD_DIRECTIVE: () => `a line starting with "%" is a YAML directive: ${QUOTE_HINT} if it is a text`,
  NON_STRING_KEY: () => 'a key must be a plain word, not a list or a block',
  RESOURCE_EXHAUSTION: () => 'the file uses too many references (aliases): write the values out',
  IMPOSSIBLE: ({ message }) => `the file could not be read here (${message.split('\n')[0] ?? message})`,
};

/** One sentence a marketer can act on, for one error of the yaml package. */
export function explainYamlError(error: YamlErrorLike, text: string): string {
  const offset = error.pos[0] ?? 0;
  const lineStart = text.lastIndexOf('\n', Math.max(offset - 1, 0)) + 1;
  const lineEnd = text.indexOf('\n', offset);
  const line = text.slice(lineStart, lineEnd < 0 ? undefined : lineEnd);
  const explain = YAML_ERROR_EXPLANATIONS[error.code];
  const message = error.message.split('\n')[0] ?? error.message;
  if (!explain) return `YAML syntax: ${message.replace(/ at line \d+, column \d+:?$/, '')}`;
  return explain({ line, at: text.slice(offset), message });
}

/** `say: Achtung: heiß` — a second `: ` after the key's own. */
function hasSecondColon(line: string): boolean {
  const withoutListDash = line.replace(/^\s*-\s+/, '');
  const first = withoutListDash.indexOf(': ');
  return first >= 0 && /:(\s|$)/.test(withoutListDash.slice(first + 2));
}
