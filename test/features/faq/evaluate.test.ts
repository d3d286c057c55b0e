import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { evaluateMatcher, loadEvalSet, runFaqEvalCommand } from '../../../src/features/faq/evaluate.js';
import { loadKnowledgeBase } from '../../../src/features/faq/kb-loader.js';

const fixtures = join('test', 'features', 'faq', 'fixtures');

describe('the shipped evaluation set', () => {
  it('is big enough and mixes in out-of-scope questions', async () => {
    const evalSet = await loadEvalSet('flows/tests/faq-eval.yaml');
    const inScope = evalSet.items.filter((item) => item.expect !== 'none');
    expect(inScope.length).toBeGreaterThanOrEqual(80);
    expect(evalSet.items.length - inScope.length).toBeGreaterThanOrEqual(8);
  });

  // Regression floors at the figures measured when the matcher was rebuilt (bench/RESULTS.md), not targets:
  // the old 92 % on this set came from a hand lexicon holding this set's words, which is gone.
  it('stays at or above the measured top-1 accuracy on the development data', async () => {
    const kb = await loadKnowledgeBase('flows/faq');
    const report = evaluateMatcher(kb, await loadEvalSet('flows/tests/faq-eval.yaml', kb));
    expect(report.accuracy).toBeGreaterThanOrEqual(0.68);
    const dev = evaluateMatcher(kb, await loadEvalSet(join(fixtures, 'dev-set.yaml'), kb));
    expect(dev.accuracy).toBeGreaterThanOrEqual(0.76);
    expect(dev.outOfScopeRejection).toBeGreaterThanOrEqual(0.85);
    expect(report.items.every((item) => item.score >= 0 && item.score <= 1)).toBe(true);
  });
});

describe('runFaqEvalCommand', () => {
  it('prints a table and the accuracy and exits 0 when it passes', async () => {
    const lines: string[] = [];
    const code = await runFaqEvalCommand(join(fixtures, 'easy-eval.yaml'), 'flows/faq', (line) =>
      lines.push(line),
    );
    expect(code).toBe(0);
    expect(lines[0]).toMatch(/expected\s+predicted\s+score\s+decision\s+question/);
    expect(lines.some((line) => /^top-1 accuracy: +\d+\.\d%/.test(line))).toBe(true);
    expect(lines.some((line) => /^top-1 en +\d+\.\d%/.test(line))).toBe(true);
    expect(lines.some((line) => /^confident wrong answers: +\d+\.\d%/.test(line))).toBe(true);
    expect(lines.some((line) => /^false refusals: +\d+\.\d%/.test(line))).toBe(true);
    expect(lines.some((line) => /^clarify rate: +\d+\.\d%/.test(line))).toBe(true);
    expect(lines.at(-1)).toMatch(/^PASS/);
  });

  it('exits 1 below min_accuracy', async () => {
    const kb = await loadKnowledgeBase('flows/faq');
    const evalSet = {
      min_accuracy: 1,
      max_confident_wrong: 0,
      min_out_of_scope_declined: 1,
      items: [{ q: 'Wie wird das Wetter?', expect: 'shipping-time' }],
    };
    expect(evaluateMatcher(kb, evalSet).accuracy).toBe(0);
    const lines: string[] = [];
    const file = join(fixtures, 'strict-eval.yaml');
    expect(await runFaqEvalCommand(file, 'flows/faq', (line) => lines.push(line))).toBe(1);
    expect(lines.at(-1)).toMatch(/^FAIL/);
  });

  it('exits 2 with file:line:column when the eval set names an unknown entry', async () => {
    const lines: string[] = [];
    const file = join(fixtures, 'bad-eval.yaml');
    expect(await runFaqEvalCommand(file, 'flows/faq', (line) => lines.push(line))).toBe(2);
    expect(lines.join('\n')).toContain(
      `${file}:4:41: items.1.expect: no entry "unicorn" in the knowledge base`,
    );
  });
});
