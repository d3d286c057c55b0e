#!/usr/bin/env node
// Entry point for `plausch` / `npm start`. Production images run the compiled build (NODE_ENV=production and
// dist/ present); everywhere else the TypeScript sources run through tsx, so a clone never runs a stale build.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const built = join(root, 'dist', 'cli', 'main.js');
if (process.env.NODE_ENV === 'production' && existsSync(built)) {
  await import(pathToFileURL(built).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(pathToFileURL(join(root, 'src', 'cli', 'main.ts')).href);
}
