/**
 * A PostgreSQL server of the test's own, for fault injection that must never touch a shared instance: initdb
 * into a temp dir, started on a free port with pg_ctl, stopped and started again by the test, removed at the
 * end. PostgreSQL refuses to run as root, so as root it runs as the `postgres` system user (runuser).
 * `ThrowawayPostgres.binDir()` is null when no server binaries are installed; tests then skip, saying so.
 */
import { execFile, execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../fault/server-process.js';

const SEARCH = ['/usr/lib/postgresql'];
const execFileAsync = promisify(execFile);

export class ThrowawayPostgres {
  #running = false;

  private constructor(
    readonly bin: string,
    readonly dir: string,
    readonly port: number,
    readonly runAs: string | null,
  ) {}

  /** The newest installed server's bin directory (initdb and pg_ctl), or null. */
  static binDir(): string | null {
    for (const root of SEARCH) {
      if (!existsSync(root)) continue;
      const versions = readdirSync(root)
        .filter(
          (v) => existsSync(join(root, v, 'bin', 'pg_ctl')) && existsSync(join(root, v, 'bin', 'initdb')),
        )
        .sort((a, b) => Number(b) - Number(a));
      if (versions[0]) return join(root, versions[0], 'bin');
    }
    return null;
  }

  /** Why the server cannot be run here, or null when it can. */
  static unavailableReason(): string | null {
    if (!ThrowawayPostgres.binDir())
      return 'no PostgreSQL server binaries (initdb, pg_ctl) under /usr/lib/postgresql';
    if (process.getuid?.() === 0 && !userExists('postgres'))
      return 'running as root without a postgres system user to run the server as';
    return null;
  }

  /** initdb + start; resolves once the server accepts connections. */
  static async create(): Promise<ThrowawayPostgres> {
    const bin = ThrowawayPostgres.binDir();
    if (!bin) throw new Error('no PostgreSQL server binaries found');
    const dir = mkdtempSync(join(tmpdir(), 'plausch-pg-'));
    const runAs = process.getuid?.() === 0 ? 'postgres' : null;
    if (runAs) {
      const uid = Number(execFileSync('id', ['-u', runAs], { encoding: 'utf8' }).trim());
      const gid = Number(execFileSync('id', ['-g', runAs], { encoding: 'utf8' }).trim());
      chownSync(dir, uid, gid);
    }
    const server = new ThrowawayPostgres(bin, dir, await freePort(), runAs);
    await server.#run('initdb', [
      '-D',
      server.dataDir,
      '-U',
      'plausch',
      '-A',
      'trust',
      '--no-sync',
      '-E',
      'UTF8',
    ]);
    await server.start();
    return server;
  }

  get dataDir(): string {
    return join(this.dir, 'data');
  }

  get url(): string {
    return `postgres://plausch@127.0.0.1:${this.port}/postgres`;
  }

  get running(): boolean {
    return this.#running;
  }

  /** Starts (again) on the same port and data; waits until it accepts connections (pg_ctl -w). */
  async start(): Promise<void> {
    const options = [
      `-p ${this.port}`,
      `-k ${this.dir}`,
      "-c listen_addresses='127.0.0.1'",
      '-c fsync=off',
      '-c max_connections=100',
    ].join(' ');
    await this.#run('pg_ctl', [
      '-D',
      this.dataDir,
      '-l',
      join(this.dir, 'server.log'),
      '-o',
      options,
      '-w',
      '-t',
      '60',
      'start',
    ]);
    this.#running = true;
  }

  /** Fast shutdown: open connections are cut, as in a crash or failover of the database host. */
  async stop(): Promise<void> {
    if (!this.#running) return;
    await this.#run('pg_ctl', ['-D', this.dataDir, '-m', 'fast', '-w', '-t', '60', 'stop']);
    this.#running = false;
  }

  logTail(chars = 2_000): string {
    try {
      return readFileSync(join(this.dir, 'server.log'), 'utf8').slice(-chars);
    } catch {
      return '(no log)';
    }
  }

  async dispose(): Promise<void> {
    try {
      await this.stop();
    } finally {
      rmSync(this.dir, { recursive: true, force: true });
    }
  }

  async #run(tool: string, args: string[]): Promise<void> {
    const command = join(this.bin, tool);
    const [file, argv] = this.runAs
      ? ['runuser', ['-u', this.runAs, '--', command, ...args]]
      : [command, args];
    try {
      // Asynchronous: the test's own HTTP senders keep running while the server stops or starts.
      await execFileAsync(file, argv, { timeout: 90_000, cwd: this.dir });
    } catch (error) {
      const e = error as { stderr?: string; stdout?: string };
      throw new Error(`${tool} failed: ${e.stderr ?? ''}${e.stdout ?? ''}\n${this.logTail()}`);
    }
  }
}

function userExists(name: string): boolean {
  try {
    execFileSync('id', ['-u', name], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
