import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadKnowledgeBase, parseKnowledgeBase } from '../../../src/features/faq/kb-loader.js';
import { SourceError } from '../../../src/yaml/validated-yaml.js';

const fixtures = join('test', 'features', 'faq', 'fixtures');

async function problemsOf(load: () => unknown): Promise<string[]> {
  try {
    await load();
  } catch (error) {
    if (error instanceof SourceError) return error.message.split('\n');
    throw error;
  }
  throw new Error('expected the knowledge base to be rejected');
}

describe('loadKnowledgeBase', () => {
  it('loads the shipped knowledge base', async () => {
    const kb = await loadKnowledgeBase('flows/faq');
    expect(kb.entries.length).toBeGreaterThanOrEqual(25);
    for (const entry of kb.entries) {
      expect(Object.keys(entry.questions).sort()).toEqual(['de', 'en']);
      expect(typeof entry.answer === 'string' || (entry.answer.de && entry.answer.en)).toBeTruthy();
    }
    expect(kb.synonyms.find((group) => group.head === 'rueckgabe')?.members).toContain('retoure');
  });

  it('reports schema errors with file:line:column', async () => {
    const file = join(fixtures, 'broken', 'schema-errors.yaml');
    const text = await readFile(file, 'utf8');
    const problems = await problemsOf(() => parseKnowledgeBase([{ file, text }]));
    expect(problems).toContain(`${file}:9:5: entries.0: unknown key "colour"`);
    expect(problems.some((p) => p.startsWith(`${file}:10:9: entries.1.id: an entry id must start`))).toBe(
      true,
    );
    expect(problems.some((p) => p.startsWith(`${file}:12:11: entries.1.questions.de:`))).toBe(true);
    // The missing answer is reported at the entry that lacks it.
    expect(problems).toContain(`${file}:10:5: entries.1.answer: is missing`);
    expect(problems).toContain(
      `${file}:14:9: entries.1.buttons.0: a button has exactly one of goto_flow or url`,
    );
  });

  it('reports YAML syntax errors with file:line:column', async () => {
    // Kept as .txt so that formatters leave the broken YAML alone.
    const text = await readFile(join(fixtures, 'syntax-error.yaml.txt'), 'utf8');
    const problems = await problemsOf(() => parseKnowledgeBase([{ file: 'faq/hours.yaml', text }]));
    expect(problems[0]).toMatch(/^faq\/hours\.yaml:5:5: /);
  });

  it('reports problems of every file in a folder at once', async () => {
    const problems = await problemsOf(() => loadKnowledgeBase(join(fixtures, 'broken')));
    expect(problems.length).toBeGreaterThanOrEqual(5);
    expect(problems.every((p) => /schema-errors\.yaml:\d+:\d+: /.test(p))).toBe(true);
  });

  it('reports an entry id used twice and a word in two synonym groups', async () => {
    const problems = await problemsOf(() => loadKnowledgeBase(join(fixtures, 'duplicate')));
    const b = join(fixtures, 'duplicate', 'b.yaml');
    const a = join(fixtures, 'duplicate', 'a.yaml');
    expect(problems).toContain(`${b}:2:11: "lieferung" already means "versand" in another synonym group`);
    expect(problems).toContain(`${b}:7:9: entry id "shipping-time" is already used in ${a}`);
  });

  it('rejects an empty folder', async () => {
    const problems = await problemsOf(() => parseKnowledgeBase([]));
    expect(problems[0]).toMatch(/no files found/);
  });
});
