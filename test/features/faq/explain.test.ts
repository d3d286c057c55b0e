import { describe, expect, it } from 'vitest';
import { runFaqExplainCommand } from '../../../src/features/faq/explain.js';

describe('plausch faq explain', () => {
  it('shows language, words with their evidence, candidates with both scores, and the decision', async () => {
    const lines: string[] = [];
    const code = await runFaqExplainCommand('Versandkosten nach Österreich?', 'flows/faq', 'de', (line) =>
      lines.push(line),
    );
    expect(code).toBe(0);
    const text = lines.join('\n');
    expect(text).toMatch(/^language: +de/m);
    expect(text).toMatch(/^countries: AT/m);
    expect(text).toMatch(/versandkosten → stem/);
    expect(text).toMatch(/lexical +classifier +combined +decided by/);
    expect(text).toMatch(/^decision: +(answer|clarify) \(shipping-/m);
  });

  it('reads a short English question in English with the locale as prior', async () => {
    const lines: string[] = [];
    await runFaqExplainCommand('cancel subscription', 'flows/faq', 'en', (line) => lines.push(line));
    expect(lines.join('\n')).toMatch(/^language: +en/m);
  });

  it('exits 2 when the knowledge base cannot be loaded', async () => {
    const lines: string[] = [];
    expect(await runFaqExplainCommand('x', 'no/such/dir', 'de', (line) => lines.push(line))).toBe(2);
  });
});
