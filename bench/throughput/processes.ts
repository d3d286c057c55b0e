/** Child processes of the benchmark: Plausch instances (compiled dist/) and the peers, each on its own port. */
import { type ChildProcess, spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '..', '..');

export interface Server {
  name: string;
  port: number;
  pid: number;
  /** Resident set size in bytes, from /proc. */
  rss(): number;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  await new Promise<void>((done) => server.close(() => done()));
  if (!address || typeof address === 'string') throw new Error('no free port');
  return address.port;
}

function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /VmRSS:\s+(\d+)/.exec(status)?.[1];
  return kb ? Number(kb) * 1024 : Number.NaN;
}

/** `taskset -c <cpu>` pins a process to one core (scale-out runs), if taskset exists. */
function command(args: string[], cpu: number | undefined): [string, string[]] {
  if (cpu === undefined) return [process.execPath, args];
  return ['taskset', ['-c', String(cpu), process.execPath, ...args]];
}

async function waitForHttp(port: number, child: ChildProcess, name: string, output: () => string) {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${name} exited early:\n${output()}`);
    try {
      const response = await fetch(`http://127.0.0.1:${port}/healthz`);
      await response.arrayBuffer();
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`${name} did not answer on port ${port} within 120 s:\n${output()}`);
}

function track(name: string, child: ChildProcess, port: number): Server {
  return {
    name,
    port,
    pid: child.pid ?? -1,
    rss: () => rssOf(child.pid ?? -1),
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((done) => child.once('exit', () => done()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** A peer program from bench/peers/; it prints `READY <port>` once listening. */
export async function startPeer(file: string, env: Record<string, string> = {}): Promise<Server> {
  const port = await freePort();
  const child = spawn(process.execPath, [join(ROOT, 'bench', 'peers', file)], {
    env: { ...process.env, ...env, PORT: String(port), NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stderr?.on('data', (d) => {
    output += String(d);
  });
  await new Promise<void>((done, fail) => {
    child.stdout?.on('data', (d) => {
      output += String(d);
      if (output.includes('READY')) done();
    });
    child.once('exit', () => fail(new Error(`peer ${file} exited:\n${output}`)));
  });
  return track(file, child, port);
}

/** A flows folder with the sample brand's data files and the benchmark's one-reply flow. */
export function benchFlowsDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'plausch-bench-flows-'));
  for (const entry of readdirSync(join(ROOT, 'flows'), { withFileTypes: true })) {
    if (entry.isDirectory() && entry.name !== 'tests')
      cpSync(join(ROOT, 'flows', entry.name), join(dir, entry.name), { recursive: true });
  }
  for (const file of readdirSync(join(ROOT, 'bench', 'flows')))
    cpSync(join(ROOT, 'bench', 'flows', file), join(dir, file));
  return dir;
}

export interface PlauschEnv {
  databaseUrl?: string;
  sqlitePath?: string;
  telegramApiRoot: string;
  flowsDir: string;
  pacing: boolean;
  extra?: Record<string, string>;
}

export const TELEGRAM_TOKEN = '123456:TEST-token';
export const WEBHOOK_SECRET = 'bench-secret';

/** Starts `node dist/cli/main.js serve` (what `npm start` runs) with Telegram in webhook mode. */
export async function startPlausch(options: PlauschEnv & { cpu?: number; name?: string }): Promise<Server> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'plausch-bench-data-'));
  mkdirSync(dataDir, { recursive: true });
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    NODE_ENV: 'production',
    ERASURE_HASH_KEY: 'bench-erasure-hash-key-bench-erasure-hash-key',
    // Throughput is measured from one address: the per-address limits of the public endpoints would cut it.
    PUBLIC_RATE_LIMIT_PER_MINUTE: '0',
    PORT: String(port),
    HOST: '127.0.0.1',
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    LOG_LEVEL: 'warn',
    DATABASE_URL: options.databaseUrl ?? '',
    SQLITE_PATH: options.sqlitePath ?? join(dataDir, 'plausch.sqlite'),
    FLOWS_DIR: options.flowsDir,
    TELEGRAM_BOT_TOKEN: TELEGRAM_TOKEN,
    TELEGRAM_WEBHOOK_SECRET: WEBHOOK_SECRET,
    TELEGRAM_API_ROOT: options.telegramApiRoot,
    TELEGRAM_BOT_USERNAME: 'bench_bot',
    WEBCHAT_ENABLED: 'false',
    OUTBOX_PACING: options.pacing ? 'true' : 'false',
    ...options.extra,
  };
  const [cmd, args] = command([join(ROOT, 'dist', 'cli', 'main.js'), 'serve'], options.cpu);
  const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const collect = (d: unknown) => {
    output = (output + String(d)).slice(-20_000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const name = options.name ?? 'plausch';
  await waitForHttp(port, child, name, () => output);
  const server = track(name, child, port);
  return { ...server, pid: child.pid ?? -1 };
}
