/**
 * Watches whether the store really works, for /readyz and the logs: every few seconds (and when asked,
 * at most once a second) it writes one tiny row, and on SQLite it checks that the file it opened is still
 * the file at its path. A SELECT would succeed on a full disk, a locked or read-only file, or a database
 * file deleted under the running process (which keeps writing into the unlinked inode and loses it all
 * at exit); a write and a stat do not.
 */
import { statSync } from 'node:fs';
import type { Logger } from '../logger.js';
import { readMarker, storeHasData, writeMarker } from './data-marker.js';
import type { Store } from './database.js';

export interface StoreHealth {
  status: 'ok' | 'down';
  detail: string;
  checkedAt: number;
}

export interface StoreWatchOptions {
  store: Store;
  instanceId: string;
  logger: Logger;
  /** The data marker to update once the store holds data (null = no marker). */
  markerPath: string | null;
  intervalMs?: number;
  /** A probe write slower than this counts as a failure (the loop or the store is stuck). */
  probeTimeoutMs?: number;
  now?: () => Date;
}

type ProbeTable = {
  store_probe: { instance_id: string; written_at: number };
};

export class StoreWatch {
  readonly #o: StoreWatchOptions;
  readonly #now: () => Date;
  #health: StoreHealth = { status: 'ok', detail: 'not checked yet', checkedAt: 0 };
  #running: Promise<StoreHealth> | null = null;
  #timer: NodeJS.Timeout | null = null;
  #markedData = false;

  constructor(options: StoreWatchOptions) {
    this.#o = options;
    this.#now = options.now ?? (() => new Date());
  }

  get health(): StoreHealth {
    return this.#health;
  }

  start(): void {
    if (this.#timer) return;
    const interval = this.#o.intervalMs ?? 5_000;
    this.#timer = setInterval(() => void this.check(), interval);
    this.#timer.unref();
    void this.check();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }

  /** A fresh verdict, or the one at most `maxAgeMs` old; probes never overlap. */
  async check(maxAgeMs = 0): Promise<StoreHealth> {
    if (this.#health.checkedAt > 0 && Date.now() - this.#health.checkedAt <= maxAgeMs) return this.#health;
    this.#running ??= this.#probe().finally(() => {
      this.#running = null;
    });
    return this.#running;
  }

  async #probe(): Promise<StoreHealth> {
    const problem = this.#fileProblem() ?? (await this.#writeProblem());
    const next: StoreHealth = problem
      ? { status: 'down', detail: problem, checkedAt: Date.now() }
      : { status: 'ok', detail: `${this.#o.store.dialect}: writes succeed`, checkedAt: Date.now() };
    const previous = this.#health;
    this.#health = next;
    if (next.status === 'down' && (previous.status !== 'down' || previous.detail !== next.detail)) {
      this.#o.logger.error(
        { store: this.#o.store.description, problem: next.detail },
        'the store is not usable',
      );
    } else if (next.status === 'ok' && previous.status === 'down') {
      this.#o.logger.info({ store: this.#o.store.description }, 'the store works again');
    }
    if (next.status === 'ok') await this.#updateMarker();
    return next;
  }

  #fileProblem(): string | null {
    const file = this.#o.store.file;
    if (!file) return null;
    try {
      const stat = statSync(file.path);
      if (stat.ino !== file.ino || stat.dev !== file.dev) {
        return `the database file ${file.path} was replaced while running; this process still writes to the old one. Restart to use the file now at the path, or put the original back`;
      }
      return null;
    } catch {
      return `the database file ${file.path} was deleted while running: everything written from now on is lost when the process exits. Put the file back from a backup and restart`;
    }
  }

  async #writeProblem(): Promise<string | null> {
    const db = this.#o.store.db.withTables<ProbeTable>();
    const at = this.#now().getTime();
    const write = db
      .insertInto('store_probe')
      .values({ instance_id: this.#o.instanceId, written_at: at })
      .onConflict((oc) => oc.column('instance_id').doUpdateSet({ written_at: at }))
      .execute();
    const timeoutMs = this.#o.probeTimeoutMs ?? 2_000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    try {
      const outcome = await Promise.race([write.then(() => 'written' as const), timeout]);
      if (outcome === 'timeout') return `a one-row write did not finish within ${timeoutMs} ms`;
      return null;
    } catch (error) {
      return `writes fail: ${describeStoreError(error)}`;
    } finally {
      clearTimeout(timer);
      write.catch(() => {});
    }
  }

  async #updateMarker(): Promise<void> {
    const path = this.#o.markerPath;
    if (!path || this.#markedData) return;
    try {
      if (readMarker(path)?.hadData) {
        this.#markedData = true;
        return;
      }
      if (await storeHasData(this.#o.store)) {
        writeMarker(path, {
          store: this.#o.store.description,
          hadData: true,
          updatedAt: this.#now().toISOString(),
        });
        this.#markedData = true;
      }
    } catch (error) {
      this.#o.logger.warn({ err: error, markerPath: path }, 'could not update the data marker');
    }
  }
}

/** SQLite's and PostgreSQL's error codes in words an operator can act on. */
export function describeStoreError(error: unknown): string {
  const code = (error as { code?: unknown })?.code;
  const message = error instanceof Error ? error.message : String(error);
  // Extended codes (SQLITE_READONLY_DBMOVED, SQLITE_IOERR_WRITE …) share their primary code's meaning.
  const primary = typeof code === 'string' ? code.split('_').slice(0, 2).join('_') : '';
  switch (primary) {
    case 'SQLITE_BUSY':
      return `the database file is locked by another process (${message})`;
    case 'SQLITE_FULL':
      return `the disk or the database is full (${message})`;
    case 'SQLITE_READONLY':
      return `the database file is read-only (${message})`;
    case 'SQLITE_CANTOPEN':
    case 'SQLITE_IOERR':
      return `the database file cannot be read or written (${message})`;
    default:
      return typeof code === 'string' ? `${code}: ${message}` : message;
  }
}
