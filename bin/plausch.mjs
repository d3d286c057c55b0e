#!/usr/bin/env node
// Entry point for `plausch`. Production (NODE_ENV=production, or wherever tsx is not installed because dev
// dependencies were left out) runs the compiled build in dist/ (`npm run build`; `npm start` builds first).
// In development the TypeScript sources run through tsx, so a clone never runs a stale build.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const built = join(root, 'dist', 'cli', 'main.js');

function tsxInstalled() {
  try {
    createRequire(import.meta.url).resolve('tsx/esm/api');
    return true;
  } catch {
    return false;
  }
}

const compiled = process.env.NODE_ENV === 'production' || !tsxInstalled();
if (compiled) {
  if (!existsSync(built)) {
    console.error('plausch: dist/ is missing; run `npm run build` first (or `npm start`, which builds).');
    process.exit(1);
  }
  await import(pathToFileURL(built).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(pathToFileURL(join(root, 'src', 'cli', 'main.ts')).href);
}
