/**
 * A real `plausch serve` in a child process for fault injection: started with its own environment, killed
 * with SIGKILL (no shutdown hook runs), restarted on the same port and store. Its log goes to a file the
 * test prints when something fails.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { appendFileSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export class ServerProcess {
  #child: ChildProcess | null = null;
  #exited: Promise<void> = Promise.resolve();
  kills = 0;
  /** When each kill happened (epoch ms), to tell crash duplicates from others. */
  readonly killedAt: number[] = [];

  constructor(
    readonly port: number,
    readonly env: Record<string, string>,
    readonly logFile: string,
  ) {}

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.#child !== null;
  }

  /** Starts the server and resolves once /readyz answers 200 (rejects after `timeoutMs`). */
  async start(timeoutMs = 60_000): Promise<void> {
    if (this.#child) throw new Error('already running');
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'plausch.mjs'), 'serve'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const log = (chunk: Buffer) => appendFileSync(this.logFile, chunk);
    child.stdout?.on('data', log);
    child.stderr?.on('data', log);
    this.#child = child;
    let exitCode: number | null | undefined;
    this.#exited = new Promise((resolve) =>
      child.once('exit', (code) => {
        exitCode = code;
        if (this.#child === child) this.#child = null;
        resolve();
      }),
    );
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (exitCode !== undefined)
        throw new Error(`plausch serve exited with ${exitCode}:\n${this.logTail()}`);
      try {
        const response = await fetch(`${this.baseUrl}/readyz`, { signal: AbortSignal.timeout(2_000) });
        if (response.status === 200) return;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`plausch serve did not become ready within ${timeoutMs} ms:\n${this.logTail()}`);
  }

  logTail(chars = 4_000): string {
    try {
      return readFileSync(this.logFile, 'utf8').slice(-chars);
    } catch {
      return '(no log)';
    }
  }

  /** kill -9: no graceful shutdown, sends in flight are cut off wherever they are. */
  async kill(): Promise<void> {
    const child = this.#child;
    if (!child) return;
    this.kills += 1;
    this.killedAt.push(Date.now());
    child.kill('SIGKILL');
    await this.#exited;
  }

  /** Graceful stop (SIGTERM), for the end of a test. */
  async stop(): Promise<void> {
    const child = this.#child;
    if (!child) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    await this.#exited;
    clearTimeout(timer);
  }
}
