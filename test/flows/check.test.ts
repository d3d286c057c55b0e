import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runFlowsCheck } from '../../src/flows/check.js';
import { loadFlowSet } from '../../src/flows/flow-set.js';
import { createTestActions } from './test-actions.js';

const fixtures = join(import.meta.dirname, 'fixtures');
const cleanups: string[] = [];
afterEach(() => {
  for (const dir of cleanups.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function copyOfGoodSet(): string {
  const dir = mkdtempSync(join(tmpdir(), 'plausch-flows-'));
  cleanups.push(dir);
  cpSync(join(fixtures, 'good'), dir, { recursive: true });
  return dir;
}

describe('all or nothing', () => {
  it('loads no flow at all when a single file of the set has an error', async () => {
    const dir = copyOfGoodSet();
    writeFileSync(join(dir, 'extra.yaml'), 'id: extra\nsteps:\n  one:\n    say: Hallo\n    goto: nirgends\n');
    const result = await loadFlowSet(dir, createTestActions());
    expect(result.ok).toBe(false);
    expect('flowSet' in result).toBe(false);
    if (result.ok) return;
    expect(result.problems).toEqual([
      expect.objectContaining({ file: join(dir, 'extra.yaml'), line: 5, column: 11, severity: 'error' }),
    ]);
  });

  it('loads a set whose only problems are warnings, and hands the warnings over', async () => {
    const dir = copyOfGoodSet();
    writeFileSync(
      join(dir, 'extra.yaml'),
      'id: extra\nsteps:\n  one:\n    say: Hallo\n    end: true\n  draft:\n    say: Entwurf\n',
    );
    const result = await loadFlowSet(dir, createTestActions());
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.flowSet.flows.size).toBe(5);
    expect(result.warnings.map((w) => w.severity)).toEqual(['warning']);
  });
});

describe('runFlowsCheck', () => {
  it('prints positioned problems relative to the working directory and a summary; exit code 1', async () => {
    const lines: string[] = [];
    const code = await runFlowsCheck(
      join(fixtures, 'broken'),
      createTestActions(),
      (line) => lines.push(line),
      fixtures,
    );
    expect(code).toBe(1);
    expect(lines[0]).toBe(
      'broken/dupe.yaml:5:5: error: duplicate key "say": each key may appear only once in a block',
    );
    expect(lines).toContain('broken/shop.yaml:13:5: error: unknown key "nxt" (did you mean "next"?)');
    expect(lines.at(-1)).toBe('12 errors, 1 warning in 4 files');
    // Sorted by file, then position.
    const shopLines = lines.filter((line) => line.startsWith('broken/shop.yaml'));
    const positions = shopLines.map((line) => line.split(':').slice(1, 3).map(Number));
    const sorted = [...positions].sort((a, b) => (a[0] ?? 0) - (b[0] ?? 0) || (a[1] ?? 0) - (b[1] ?? 0));
    expect(positions).toEqual(sorted);
  });

  it('says OK with counts and exit code 0 for a good set', async () => {
    const lines: string[] = [];
    const code = await runFlowsCheck(join(fixtures, 'good'), createTestActions(), (line) => lines.push(line));
    expect(code).toBe(0);
    expect(lines).toEqual(['flows OK: 4 flows, 21 steps']);
  });

  it('reports a missing folder as an error instead of crashing', async () => {
    const lines: string[] = [];
    const code = await runFlowsCheck(
      join(fixtures, 'does-not-exist'),
      createTestActions(),
      (line) => lines.push(line),
      fixtures,
    );
    expect(code).toBe(1);
    expect(lines).toEqual([
      'does-not-exist:1:1: error: cannot read the flow folder: folder not found',
      '1 error, 0 warnings in 1 file',
    ]);
  });
});
