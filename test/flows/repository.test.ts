import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FlowSetError } from '../../src/flows/problems.js';
import { FlowRepository, type FlowRepositoryEvents } from '../../src/flows/repository.js';
import { silentLogger } from '../../src/logger.js';
import { createTestActions } from './test-actions.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function copyOfGoodSet(): string {
  const dir = mkdtempSync(join(tmpdir(), 'plausch-flows-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(join(import.meta.dirname, 'fixtures', 'good'), dir, { recursive: true });
  return dir;
}

function nextEvent<Event extends keyof FlowRepositoryEvents>(
  repository: FlowRepository,
  event: Event,
): Promise<FlowRepositoryEvents[Event]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${event} event within 10 s`)), 10_000);
    const off = repository.on(event, (payload) => {
      clearTimeout(timer);
      off();
      resolve(payload);
    });
  });
}

const GOOD_EXTRA = 'id: extra\ntriggers:\n  keywords: [bohnen]\nsteps:\n  one:\n    say: Bohnen!\n';
const BROKEN_EXTRA = 'id: extra\nsteps:\n  one:\n    say: Bohnen!\n    goto: zwei\n';

describe('FlowRepository', () => {
  it('keeps the last good set when an edit breaks a file, and takes the fixed one', async () => {
    const dir = copyOfGoodSet();
    const repository = await FlowRepository.open(dir, createTestActions(), silentLogger, { debounceMs: 50 });
    cleanups.push(() => repository.close());
    const original = repository.current();
    expect(original.flows.has('extra')).toBe(false);

    const rejected = nextEvent(repository, 'rejected');
    writeFileSync(join(dir, 'extra.yaml'), BROKEN_EXTRA);
    const { problems } = await rejected;
    expect(problems).toEqual([
      {
        file: join(dir, 'extra.yaml'),
        line: 5,
        column: 11,
        severity: 'error',
        message: 'no step "zwei" in flow "extra"',
      },
    ]);
    expect(repository.current()).toBe(original);
    expect(repository.status().rejected?.problems).toEqual(problems);

    const reloaded = nextEvent(repository, 'reloaded');
    writeFileSync(join(dir, 'extra.yaml'), GOOD_EXTRA);
    const { flowSet } = await reloaded;
    expect(flowSet.flows.has('extra')).toBe(true);
    expect(repository.current()).toBe(flowSet);
    expect(repository.status().rejected).toBeUndefined();
  });

  it('reloads on demand (SIGHUP) without watching, and ignores files in subfolders', async () => {
    const dir = copyOfGoodSet();
    const repository = await FlowRepository.open(dir, createTestActions(), silentLogger, { watch: false });
    cleanups.push(() => repository.close());
    writeFileSync(join(dir, 'faq', 'broken.yaml'), 'id: [not a flow');
    expect(await repository.reload()).toBe(true);
    writeFileSync(join(dir, 'extra.yaml'), BROKEN_EXTRA);
    expect(await repository.reload()).toBe(false);
    expect(repository.current().flows.has('extra')).toBe(false);
    writeFileSync(join(dir, 'extra.yaml'), GOOD_EXTRA);
    expect(await repository.reload()).toBe(true);
    expect(repository.current().flows.get('extra')?.definition.triggers?.keywords).toEqual(['bohnen']);
  });

  it('refuses to open a broken set and says why', async () => {
    const dir = copyOfGoodSet();
    writeFileSync(join(dir, 'extra.yaml'), BROKEN_EXTRA);
    const opening = FlowRepository.open(dir, createTestActions(), silentLogger, { watch: false });
    await expect(opening).rejects.toBeInstanceOf(FlowSetError);
    await expect(opening).rejects.toThrow(
      `${join(dir, 'extra.yaml')}:5:11: error: no step "zwei" in flow "extra"`,
    );
  });
});
