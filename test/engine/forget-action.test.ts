/** conversation.forget: its arguments are checked by `flows check`, and it unsets the variables it names. */
import { basename } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ActionRegistry } from '../../src/engine/actions.js';
import { FORGOTTEN_MARKER, forgetAction, registerCoreActions } from '../../src/engine/core-actions.js';
import { loadFlowSet } from '../../src/flows/flow-set.js';
import { createTempFlowDir, SETTINGS, type TempFlowDir } from '../flows/temp-flows.js';

let temp: TempFlowDir | undefined;
afterEach(() => temp?.remove());

async function problemsOf(withBlock: string): Promise<string[]> {
  temp = createTempFlowDir({
    'settings.yaml': SETTINGS,
    'a.yaml': `id: a\nsteps:\n  s:\n    action: conversation.forget\n    with: ${withBlock}\n    say: Weg.\n    end: true\n`,
  });
  const result = await loadFlowSet(temp.dir, registerCoreActions(new ActionRegistry()));
  return result.ok ? [] : result.problems.map((p) => `${basename(p.file)}:${p.line}: ${p.message}`);
}

describe('conversation.forget', () => {
  it('accepts a list of variable names and refuses an empty list, bad names and unknown keys', async () => {
    expect(await problemsOf('{ vars: [email, phone] }')).toEqual([]);
    expect(await problemsOf('{ vars: email }')).toEqual([]);
    expect((await problemsOf('{ vars: [] }')).length).toBe(1);
    expect((await problemsOf('{ vars: ["e mail"] }')).length).toBe(1);
    expect((await problemsOf('{ vars: [email], wipe: true }')).length).toBe(1);
    expect((await problemsOf('{}')).length).toBe(1);
  });

  it('unsets every named variable and asks to redact only the text values it held', async () => {
    const result = await forgetAction.run({ vars: ['email', 'monthly_kg', 'missing'] }, {
      vars: { email: ' a.b@c.example ', monthly_kg: 12.5, other: 'bleibt' },
    } as unknown as Parameters<typeof forgetAction.run>[1]);
    expect(result.unset).toEqual(['email', 'monthly_kg', 'missing']);
    expect(result.effects).toEqual([
      { kind: 'forget-input', values: ['a.b@c.example'], marker: FORGOTTEN_MARKER },
    ]);
    const nothingTyped = await forgetAction.run({ vars: ['monthly_kg'] }, {
      vars: { monthly_kg: 3 },
    } as unknown as Parameters<typeof forgetAction.run>[1]);
    expect(nothingTyped.effects).toEqual([]);
  });
});
