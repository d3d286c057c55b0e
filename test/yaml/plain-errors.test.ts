import { describe, expect, it } from 'vitest';
import { LineCounter, parseDocument } from 'yaml';
import { explainYamlError, YAML_ERROR_EXPLANATIONS } from '../../src/yaml/plain-errors.js';

/** The plain-word explanation of the first syntax error yaml finds in `text`. */
function explain(text: string): string {
  const document = parseDocument(text, {
    lineCounter: new LineCounter(),
    prettyErrors: false,
    uniqueKeys: true,
  });
  const error = document.errors[0];
  if (!error) throw new Error('expected a syntax error');
  return explainYamlError(error, text);
}

const step = (line: string) => `id: a\nsteps:\n  hi:\n    ${line}\n`;

describe('YAML syntax errors in plain words', () => {
  it('a colon inside a text: put it in quotes', () => {
    expect(explain(step('say: Achtung: heiß'))).toMatch(/^put the text in double quotes: a colon/);
    expect(explain(step('say: { de: Achtung: heiß, en: hot }'))).toMatch(/inside \{ \} or \[ \].*quotes/);
  });

  it('an unclosed quote, list or block', () => {
    expect(explain(step('say: "Hallo\n    next: x'))).toBe(
      'a text in quotes is not closed: add the closing quote at its end',
    );
    expect(explain(step('buttons: [a, b'))).toMatch(/not closed: add the missing "\]"/);
    expect(explain(step('say: { de: Hallo, en: Hi\n    next: x'))).toMatch(
      /not closed: add the missing "\}"/,
    );
  });

  it('indentation: misaligned keys, tabs, a line indented too far', () => {
    expect(explain(step('say: Hallo\n   next: x'))).toMatch(/^the indentation does not line up/);
    expect(explain('id: a\nsteps:\n\thi:\n    say: Hallo\n')).toBe('indent with spaces, not tabs');
    expect(explain(step('say: Hallo\n      next: x'))).toMatch(/indented further than the line above/);
  });

  it('reserved first characters and text after a closing quote', () => {
    expect(explain(step('say: @hallo'))).toBe(
      'a text cannot start with "@": put the text in double quotes (say: "@hallo")',
    );
    expect(explain(step('say: %50 off'))).toMatch(/cannot start with "%"/);
    expect(explain(step("say: 'It's me'"))).toMatch(/apostrophe ends a text in single quotes/);
    expect(explain(step('say: "Hallo" Welt'))).toMatch(/more text after the closing quote/);
  });

  it('escapes, duplicate keys and a second document', () => {
    expect(explain(step('say: "C:\\q"'))).toMatch(/backslash/);
    expect(explain('id: a\nid: b\n')).toMatch(/appears twice/);
    expect(explain('id: a\n---\nid: b\n')).toMatch(/one file holds one document/);
  });

  it('has a plain explanation for every error code of the yaml package', async () => {
    const source = await import('node:fs').then((fs) =>
      fs.readFileSync(new URL('../../node_modules/yaml/dist/errors.d.ts', import.meta.url), 'utf8'),
    );
    const codes = [...(/type ErrorCode = ([^;]*);/.exec(source)?.[1] ?? '').matchAll(/'([A-Z_0-9]+)'/g)].map(
      (match) => match[1],
    );
    expect(codes.length).toBeGreaterThan(15);
    for (const code of codes) expect(YAML_ERROR_EXPLANATIONS, code).toHaveProperty(code as string);
  });

  it('keeps the parser sentence for a code it does not know', () => {
    expect(
      explainYamlError({ code: 'NEW_CODE', message: 'Something odd at line 1, column 2:', pos: [0, 1] }, 'x'),
    ).toBe('YAML syntax: Something odd');
  });
});
