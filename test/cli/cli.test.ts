/**
 * The command line as an operator uses it: real processes through bin/plausch.mjs. Each test waits for the
 * process to exit (bounded by the test timeout), never for a fixed time.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..', '..');
const bin = join(root, 'bin', 'plausch.mjs');
const scratch = mkdtempSync(join(tmpdir(), 'plausch-cli-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `plausch <args>` in `cwd` with a clean environment; `shell` pipes its stdout into a command. */
async function plausch(
  args: string[],
  options: { env?: Record<string, string>; cwd?: string; pipeTo?: string } = {},
): Promise<Run> {
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: scratch,
    LOG_LEVEL: 'warn',
    FLOWS_DIR: join(root, 'flows'),
    SQLITE_PATH: join(scratch, `${Math.random().toString(36).slice(2)}.sqlite`),
    ...options.env,
  };
  const command = options.pipeTo
    ? spawn(
        'sh',
        [
          '-c',
          `"${process.execPath}" "${bin}" ${args.join(' ')} | ${options.pipeTo}; exit \${PIPESTATUS:-0}`,
        ],
        {
          env,
          cwd: options.cwd ?? scratch,
        },
      )
    : spawn(process.execPath, [bin, ...args], { env, cwd: options.cwd ?? scratch });
  let stdout = '';
  let stderr = '';
  command.stdout.on('data', (chunk) => {
    stdout += chunk;
  });
  command.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const [code] = (await once(command, 'exit')) as [number | null];
  return { code, stdout, stderr };
}

describe('plausch CLI', { timeout: 90_000 }, () => {
  it('prints its version', async () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
    const run = await plausch(['--version']);
    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toBe(pkg.version);
  });

  it('stays quiet when the reader of its output goes away early (plausch actions | head)', async () => {
    // `true` exits without reading: every write meets a closed pipe.
    const run = await plausch(['actions'], { pipeTo: 'true' });
    expect(run.stderr).not.toMatch(/EPIPE|Error/);
  });

  it('serve exits non-zero with a clear message when the port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((done) => blocker.listen(0, '127.0.0.1', done));
    const port = (blocker.address() as { port: number }).port;
    try {
      const run = await plausch(['serve'], { env: { PORT: String(port), HOST: '127.0.0.1' } });
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(`cannot listen on 127.0.0.1:${port}: the port is already in use`);
      expect(run.stdout).not.toMatch(/listening/);
    } finally {
      blocker.close();
    }
  });

  it('reads .env from the working directory; the environment wins over it', async () => {
    const dir = mkdtempSync(join(scratch, 'env-'));
    writeFileSync(join(dir, '.env'), 'PORT=not-a-port\nLOG_LEVEL=warn\n');
    const fromFile = await plausch(['db', 'migrate'], { cwd: dir });
    expect(fromFile.code).toBe(1);
    expect(fromFile.stderr).toContain('PORT');
    const overridden = await plausch(['db', 'migrate'], { cwd: dir, env: { PORT: '4000' } });
    expect(overridden.stderr).toBe('');
    expect(overridden.code).toBe(0);
  });

  it('lists the dead-letter table', async () => {
    const run = await plausch(['inbox', 'rejected']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('No rejected inbound events.');
  });
});
