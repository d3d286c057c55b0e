/**
 * Every save in the workbench is a version: who, when, what. Where FLOWS_DIR is a git checkout a save is a
 * commit with the marketer as author (the git CLI through execFile, never a shell), so the history is the
 * one developers already read; otherwise the versions live in the store (table workbench_versions).
 * Changes made outside the workbench (an editor, a deploy) are kept as a version of their own before the
 * next save, so a rollback can always reach them.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Kysely } from 'kysely';
import type { Store } from '../../store/database.js';
import { newId } from '../../store/ids.js';
import type { CoreTables } from '../../store/schema.js';
import { contentHash } from './files.js';

const run = promisify(execFile);

export interface VersionAuthor {
  id?: string;
  name: string;
  email: string;
}

export interface FileVersion {
  id: string;
  path: string;
  author: VersionAuthor | null;
  createdAt: string;
  message: string;
}

export interface VersionHistory {
  readonly mode: 'git' | 'store';
  /** Newest first. */
  list(path: string, limit?: number): Promise<FileVersion[]>;
  /** The file as it was in a version; null when that version deleted it or the id is unknown. */
  content(path: string, id: string): Promise<string | null | undefined>;
  /** Called before a save writes: keeps what is on disk as a version when no version holds it yet. */
  keepOutsideChange(path: string, current: string | null): Promise<void>;
  /** Called after a save wrote `text`. */
  record(path: string, text: string | null, author: VersionAuthor, message: string): Promise<FileVersion>;
}

interface WorkbenchVersionsTable {
  id: string;
  path: string;
  content: string | null;
  hash: string;
  author_id: string | null;
  author_name: string | null;
  author_email: string | null;
  message: string;
  created_at: number;
}

export class StoreVersionHistory implements VersionHistory {
  readonly mode = 'store';
  readonly #db: Kysely<CoreTables & { workbench_versions: WorkbenchVersionsTable }>;

  constructor(
    store: Store,
    private readonly now: () => Date,
  ) {
    this.#db = store.db.withTables<{ workbench_versions: WorkbenchVersionsTable }>();
  }

  async list(path: string, limit = 50): Promise<FileVersion[]> {
    const rows = await this.#db
      .selectFrom('workbench_versions')
      .select(['id', 'path', 'author_id', 'author_name', 'author_email', 'message', 'created_at'])
      .where('path', '=', path)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
    return rows.map((row) => ({
      id: row.id,
      path: row.path,
      author:
        row.author_name !== null
          ? {
              ...(row.author_id ? { id: row.author_id } : {}),
              name: row.author_name,
              email: row.author_email ?? '',
            }
          : null,
      createdAt: new Date(Number(row.created_at)).toISOString(),
      message: row.message,
    }));
  }

  async content(path: string, id: string): Promise<string | null | undefined> {
    const row = await this.#db
      .selectFrom('workbench_versions')
      .select('content')
      .where('path', '=', path)
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? row.content : undefined;
  }

  async keepOutsideChange(path: string, current: string | null): Promise<void> {
    const latest = await this.#db
      .selectFrom('workbench_versions')
      .select('hash')
      .where('path', '=', path)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    const hash = contentHash(current);
    if (latest?.hash === hash || (!latest && current === null)) return;
    await this.#insert(
      path,
      current,
      null,
      latest ? 'changed outside the workbench' : 'as it was before the workbench',
    );
  }

  async record(
    path: string,
    text: string | null,
    author: VersionAuthor,
    message: string,
  ): Promise<FileVersion> {
    const row = await this.#insert(path, text, author, message);
    return {
      id: row.id,
      path,
      author,
      createdAt: new Date(row.created_at).toISOString(),
      message,
    };
  }

  async #insert(
    path: string,
    text: string | null,
    author: VersionAuthor | null,
    message: string,
  ): Promise<WorkbenchVersionsTable> {
    const at = this.now().getTime();
    const row: WorkbenchVersionsTable = {
      id: newId(at),
      path,
      content: text,
      hash: contentHash(text),
      author_id: author?.id ?? null,
      author_name: author?.name ?? null,
      author_email: author?.email ?? null,
      message,
      created_at: at,
    };
    await this.#db.insertInto('workbench_versions').values(row).execute();
    return row;
  }
}

const FIELD = '\x1f';

/** Versions as git commits in the checkout FLOWS_DIR belongs to. */
export class GitVersionHistory implements VersionHistory {
  readonly mode = 'git';

  constructor(private readonly dir: string) {}

  /** Whether `dir` is inside a git work tree and the git CLI is there. */
  static async detect(dir: string): Promise<boolean> {
    try {
      const { stdout } = await run('git', ['rev-parse', '--is-inside-work-tree'], { cwd: dir });
      return stdout.trim() === 'true';
    } catch {
      return false;
    }
  }

  async list(path: string, limit = 50): Promise<FileVersion[]> {
    const format = ['%H', '%an', '%ae', '%aI', '%s'].join(FIELD);
    const { stdout } = await this.#git(['log', `-n${limit}`, `--format=${format}`, '--', path]);
    return stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const [id = '', name = '', email = '', createdAt = '', message = ''] = line.split(FIELD);
        return { id, path, author: { name, email }, createdAt, message };
      });
  }

  async content(path: string, id: string): Promise<string | null | undefined> {
    if (!/^[0-9a-f]{7,40}$/.test(id)) return undefined;
    try {
      const { stdout } = await this.#git(['show', `${id}:./${path}`], { maxBuffer: 4 * 1024 * 1024 });
      return stdout;
    } catch {
      // The commit exists but not the file in it: that version deleted it.
      const exists = await this.#git(['cat-file', '-e', `${id}^{commit}`]).then(
        () => true,
        () => false,
      );
      return exists ? null : undefined;
    }
  }

  async keepOutsideChange(path: string, current: string | null): Promise<void> {
    const { stdout } = await this.#git(['status', '--porcelain', '--', path]);
    if (!stdout.trim() || current === null) return;
    await this.#git(['add', '--', path]);
    await this.#git([
      'commit',
      '--quiet',
      '-m',
      `${path}: changed outside the workbench`,
      '--only',
      '--',
      path,
    ]);
  }

  async record(
    path: string,
    text: string | null,
    author: VersionAuthor,
    message: string,
  ): Promise<FileVersion> {
    await this.#git(
      text === null ? ['rm', '--cached', '--quiet', '--ignore-unmatch', '--', path] : ['add', '--', path],
    );
    await this.#git([
      'commit',
      '--quiet',
      '--allow-empty',
      `--author=${author.name} <${author.email}>`,
      '-m',
      message,
      '--only',
      '--',
      path,
    ]);
    const [latest] = await this.list(path, 1);
    if (!latest) throw new Error(`git recorded no commit for ${path}`);
    return latest;
  }

  #git(args: string[], options: { maxBuffer?: number } = {}): Promise<{ stdout: string; stderr: string }> {
    return run('git', args, {
      cwd: this.dir,
      maxBuffer: options.maxBuffer ?? 1024 * 1024,
      // The workbench commits on the marketer's behalf: they are the author, Plausch the committer.
      env: {
        ...process.env,
        GIT_COMMITTER_NAME: 'Plausch workbench',
        GIT_COMMITTER_EMAIL: 'workbench@plausch.invalid',
        GIT_TERMINAL_PROMPT: '0',
      },
    });
  }
}
