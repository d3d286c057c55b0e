/** Writes flow files into a fresh temporary folder for a test and removes it afterwards. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TempFlowDir {
  dir: string;
  write(name: string, text: string): void;
  remove(): void;
}

export function createTempFlowDir(files: Record<string, string> = {}): TempFlowDir {
  const dir = mkdtempSync(join(tmpdir(), 'plausch-flows-'));
  const write = (name: string, text: string) => writeFileSync(join(dir, name), text);
  for (const [name, text] of Object.entries(files)) write(name, text);
  return { dir, write, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export const SETTINGS = 'default_locale: de\nlocales: [de, en]\n';
