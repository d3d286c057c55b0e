/**
 * Workbench saves across instances that share one database. Every save claims the next revision of its
 * path in `workbench_saves` (the primary key (path, rev) makes two saves from the same state impossible,
 * so a conflict is caught even when the other save happened on another instance) and carries the saved
 * text. Every instance catches up — on PostgreSQL at once through NOTIFY on `plausch_workbench_<schema>`,
 * and on a timer in any case, so a lost notification only delays — and reloads what the save touched.
 *
 * Catching up never overwrites someone else's work: a revision is written into this instance's FLOWS_DIR
 * only when the file there is still the one the save started from (a fast-forward). With a shared folder
 * the file is already the saved one and only the reload is needed. A file that differs from both (a
 * deploy, a hand edit) is left alone with a warning. At start an instance takes what is on its disk as the
 * truth and only records the revisions it knows, so a deploy of newer files is never undone.
 */
import type { Kysely } from 'kysely';
import type pg from 'pg';
import type { Logger } from '../../logger.js';
import type { Store } from '../../store/database.js';
import type { CoreTables } from '../../store/schema.js';
import { contentHash, type FlowsFolder, kindOfPath, type WorkbenchFileKind } from './files.js';

interface WorkbenchSavesTable {
  path: string;
  rev: number;
  base_hash: string;
  hash: string;
  content: string | null;
  instance_id: string;
  author_name: string | null;
  author_email: string | null;
  message: string | null;
  created_at: number;
}

type SyncDb = Kysely<CoreTables & { workbench_saves: WorkbenchSavesTable }>;

/** How many revisions per path are kept for instances that are behind; the history is in the versions. */
const KEEP_REVISIONS = 50;

export interface SyncedChange {
  path: string;
  kind: WorkbenchFileKind;
  rev: number;
  /** Whether this instance's file was written (false: the folder is shared, or the file differed). */
  written: boolean;
  /** What was written, by whom and why: a git-backed instance commits it as the author's save. */
  text: string | null;
  author: { name: string; email: string } | null;
  message: string | null;
}

export interface WorkbenchSyncOptions {
  store: Store;
  folder: FlowsFolder;
  instanceId: string;
  logger: Logger;
  now: () => Date;
}

export class WorkbenchSync {
  readonly #db: SyncDb;
  readonly #o: WorkbenchSyncOptions;
  /** The newest revision of each path this instance has applied or made. */
  readonly #known = new Map<string, number>();
  #channel = 'plausch_workbench';
  #listener: pg.PoolClient | null = null;
  #stopped = false;

  constructor(options: WorkbenchSyncOptions) {
    this.#o = options;
    this.#db = options.store.db.withTables<{ workbench_saves: WorkbenchSavesTable }>();
  }

  /** Takes the files on disk as they are and remembers the newest revision of every path. */
  async start(): Promise<void> {
    for (const head of await this.#heads()) {
      this.#known.set(head.path, head.rev);
      const latest = await this.#db
        .selectFrom('workbench_saves')
        .select(['hash', 'author_name', 'created_at'])
        .where('path', '=', head.path)
        .where('rev', '=', head.rev)
        .executeTakeFirst();
      const local = await this.#o.folder.read(head.path).catch(() => null);
      if (latest && contentHash(local) !== latest.hash) {
        this.#o.logger.warn(
          {
            path: head.path,
            savedBy: latest.author_name,
            savedAt: new Date(Number(latest.created_at)).toISOString(),
          },
          'this instance starts with a file that differs from the last workbench save; the file on disk is used',
        );
      }
    }
  }

  /**
   * Listens for other instances' saves (PostgreSQL only) and calls `onNotice`, which should run
   * `catchUp` inside the workbench's save lock.
   */
  async listen(onNotice: () => void): Promise<void> {
    const pool = this.#o.store.pgPool;
    if (this.#o.store.dialect !== 'postgres' || !pool) return;
    const schema = await pool.query<{ schema: string }>('select current_schema() as schema');
    this.#channel =
      `plausch_workbench_${(schema.rows[0]?.schema ?? 'public').replace(/[^a-z0-9_]/gi, '')}`.slice(0, 63);
    const connect = async (): Promise<void> => {
      const client = await pool.connect();
      client.on('notification', (message) => {
        if (message.channel === this.#channel && message.payload !== this.#o.instanceId) onNotice();
      });
      client.on('error', (error) => {
        this.#o.logger.warn({ err: error }, 'workbench save notices lost; reconnecting');
        client.release(error);
        this.#listener = null;
        // The timer keeps catching up meanwhile; reconnect once, then leave it to the timer.
        if (!this.#stopped) setTimeout(() => void connect().catch(() => undefined), 1_000).unref();
      });
      await client.query(`LISTEN ${this.#channel}`);
      this.#listener = client;
    };
    await connect();
  }

  /**
   * Claims the next revision of `path` for a save from `baseHash` to `text`. False when another instance
   * saved the path after this one last caught up: the caller reports a conflict.
   */
  async claim(input: {
    path: string;
    baseHash: string;
    text: string | null;
    author: { name: string; email: string };
    message?: string;
  }): Promise<number | false> {
    const rev = (this.#known.get(input.path) ?? 0) + 1;
    const result = await this.#db
      .insertInto('workbench_saves')
      .values({
        path: input.path,
        rev,
        base_hash: input.baseHash,
        hash: contentHash(input.text),
        content: input.text,
        instance_id: this.#o.instanceId,
        author_name: input.author.name,
        author_email: input.author.email,
        message: input.message ?? null,
        created_at: this.#o.now().getTime(),
      })
      .onConflict((oc) => oc.columns(['path', 'rev']).doNothing())
      .executeTakeFirst();
    if (Number(result.numInsertedOrUpdatedRows ?? 0) !== 1) return false;
    this.#known.set(input.path, rev);
    await this.#db
      .deleteFrom('workbench_saves')
      .where('path', '=', input.path)
      .where('rev', '<=', rev - KEEP_REVISIONS)
      .execute()
      .catch(() => undefined);
    return rev;
  }

  /** Tells the other instances at once (PostgreSQL); without it they find the save on their next poll. */
  notify(): void {
    const pool = this.#o.store.pgPool;
    if (this.#o.store.dialect !== 'postgres' || !pool || this.#stopped) return;
    pool
      .query('select pg_notify($1, $2)', [this.#channel, this.#o.instanceId])
      .catch((error: unknown) =>
        this.#o.logger.warn({ err: error }, 'could not tell the other instances about a workbench save'),
      );
  }

  /**
   * Applies every revision saved by other instances since the last catch-up, oldest first, and returns
   * what changed so the caller reloads it. Run it inside the workbench's save lock.
   */
  async catchUp(): Promise<SyncedChange[]> {
    const changes: SyncedChange[] = [];
    for (const head of await this.#heads()) {
      const known = this.#known.get(head.path) ?? 0;
      if (head.rev <= known) continue;
      let kind: WorkbenchFileKind;
      try {
        kind = kindOfPath(head.path);
      } catch {
        this.#known.set(head.path, head.rev);
        continue;
      }
      const rows = await this.#db
        .selectFrom('workbench_saves')
        .selectAll()
        .where('path', '=', head.path)
        .where('rev', '>', known)
        .orderBy('rev')
        .execute();
      for (const row of rows) {
        this.#known.set(row.path, row.rev);
        if (row.instance_id === this.#o.instanceId) continue;
        const local = contentHash(await this.#o.folder.read(row.path));
        let written = false;
        if (local === row.base_hash && local !== row.hash) {
          await this.#o.folder.write(row.path, row.content);
          written = true;
        } else if (local !== row.hash) {
          this.#o.logger.warn(
            { path: row.path, rev: row.rev, savedBy: row.author_name },
            'a workbench save on another instance was not applied here: this instance has a different file',
          );
          continue;
        }
        changes.push({
          path: row.path,
          kind,
          rev: row.rev,
          written,
          text: row.content,
          author: row.author_name !== null ? { name: row.author_name, email: row.author_email ?? '' } : null,
          message: row.message,
        });
      }
    }
    return changes;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    const listener = this.#listener;
    this.#listener = null;
    if (listener) {
      await listener.query(`UNLISTEN ${this.#channel}`).catch(() => {});
      listener.release();
    }
  }

  async #heads(): Promise<Array<{ path: string; rev: number }>> {
    const rows = await this.#db
      .selectFrom('workbench_saves')
      .select(['path', (eb) => eb.fn.max('rev').as('rev')])
      .groupBy('path')
      .execute();
    return rows.map((row) => ({ path: row.path, rev: Number(row.rev) }));
  }
}
