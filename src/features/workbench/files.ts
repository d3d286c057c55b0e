/**
 * The files the workbench may read and write, all inside FLOWS_DIR: flows and their settings at the top,
 * the knowledge base (faq/), events (events/), newsletter topics, referral campaigns, WhatsApp templates and conversation
 * tests (tests/). A path from the browser is checked segment by segment and resolved against
 * the real folder (symlinks followed), so nothing outside FLOWS_DIR is ever read or written. Writes are
 * atomic: a temporary file in the same folder, then a rename, so the watcher and a crash never see half a file.
 */
import { createHash, randomUUID } from 'node:crypto';
import { lstat, mkdir, readdir, readFile, realpath, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';

export type WorkbenchFileKind =
  | 'flow'
  | 'flow-settings'
  | 'faq'
  | 'events'
  | 'topics'
  | 'campaigns'
  | 'whatsapp-templates'
  | 'test';

/** What the server reloads after a save of each kind. */
export const FEATURE_OF_KIND: Partial<Record<WorkbenchFileKind, string>> = {
  faq: 'faq',
  events: 'events',
  topics: 'newsletter',
  campaigns: 'referrals',
  // The newsletter feature reads the WhatsApp templates its broadcasts name.
  'whatsapp-templates': 'newsletter',
};

export class WorkbenchPathError extends Error {
  readonly status = 400;
  constructor(message: string) {
    super(message);
    this.name = 'WorkbenchPathError';
  }
}

const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+)*$/;
const MAX_FILE_BYTES = 512 * 1024;

/** Which kind a relative path is, or an error saying what may be edited. */
export function kindOfPath(path: string): WorkbenchFileKind {
  const segments = path.split('/');
  if (path.includes('\\') || segments.some((segment) => !SEGMENT.test(segment)))
    throw new WorkbenchPathError(`"${path}" is not a file name the workbench edits`);
  const name = segments.at(-1) as string;
  if (!/\.ya?ml$/.test(name)) throw new WorkbenchPathError(`"${path}" is not a YAML file`);
  if (segments.length === 1) return /^settings\.ya?ml$/.test(name) ? 'flow-settings' : 'flow';
  if (segments.length === 2) {
    const [folder] = segments;
    if (folder === 'faq') return 'faq';
    if (folder === 'events') return 'events';
    if (folder === 'tests' && /\.test\.ya?ml$/.test(name)) return 'test';
    if (path === 'newsletter/topics.yaml') return 'topics';
    if (path === 'referrals/campaigns.yaml') return 'campaigns';
    if (path === 'whatsapp/templates.yaml') return 'whatsapp-templates';
  }
  throw new WorkbenchPathError(
    `"${path}" is not a file the workbench edits (flows, faq/*, events/*, newsletter/topics.yaml, referrals/campaigns.yaml, whatsapp/templates.yaml, tests/*.test.yaml)`,
  );
}

export function contentHash(text: string | null): string {
  return text === null ? 'absent' : createHash('sha256').update(text).digest('hex').slice(0, 16);
}

export interface WorkbenchFileInfo {
  path: string;
  kind: WorkbenchFileKind;
  modifiedAt: string;
}

export class FlowsFolder {
  constructor(readonly dir: string) {}

  /** The absolute path of `path`, after checking it stays inside the folder (symlinks included). */
  async resolve(path: string): Promise<{ absolute: string; kind: WorkbenchFileKind }> {
    const kind = kindOfPath(path);
    const root = await realpath(this.dir);
    const absolute = resolve(root, ...path.split('/'));
    if (!isInside(root, absolute)) throw new WorkbenchPathError(`"${path}" is outside the flows folder`);
    // A symlinked subfolder or file could still lead out: check where it really points.
    for (const candidate of [dirname(absolute), absolute]) {
      const real = await realpath(candidate).catch(() => undefined);
      if (real !== undefined && real !== root && !isInside(root, real))
        throw new WorkbenchPathError(`"${path}" is outside the flows folder`);
    }
    return { absolute, kind };
  }

  /** The file's text, or null when it does not exist (yet). */
  async read(path: string): Promise<string | null> {
    const { absolute } = await this.resolve(path);
    try {
      const info = await stat(absolute);
      if (info.size > MAX_FILE_BYTES) throw new WorkbenchPathError(`"${path}" is too large to edit here`);
      return await readFile(absolute, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }

  /** Writes atomically (temporary file, then rename); `null` deletes the file. */
  async write(path: string, text: string | null): Promise<void> {
    const { absolute } = await this.resolve(path);
    if (text === null) {
      await rm(absolute, { force: true });
      return;
    }
    if (Buffer.byteLength(text) > MAX_FILE_BYTES) throw new WorkbenchPathError(`"${path}" is too large`);
    await mkdir(dirname(absolute), { recursive: true });
    // A dot name the flow loader and the watcher ignore; same folder, so the rename is atomic.
    const temporary = join(dirname(absolute), `.${randomUUID()}.workbench-tmp`);
    try {
      await writeFile(temporary, text, { encoding: 'utf8', flag: 'wx' });
      await rename(temporary, absolute);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
  }

  /** Every editable file, sorted by path. */
  async list(): Promise<WorkbenchFileInfo[]> {
    const files: WorkbenchFileInfo[] = [];
    const visit = async (folder: string, depth: number) => {
      let entries: Array<{ name: string; isFile(): boolean; isDirectory(): boolean }>;
      try {
        entries = await readdir(join(this.dir, folder), { withFileTypes: true });
      } catch {
        return;
      }
      for (const entry of entries) {
        const path = folder ? `${folder}/${entry.name}` : entry.name;
        if (entry.isDirectory() && depth === 0 && SEGMENT.test(entry.name)) await visit(path, 1);
        if (!entry.isFile()) continue;
        let kind: WorkbenchFileKind;
        try {
          kind = kindOfPath(path);
        } catch {
          continue;
        }
        const info = await lstat(join(this.dir, path));
        files.push({ path, kind, modifiedAt: info.mtime.toISOString() });
      }
    };
    await visit('', 0);
    return files.sort((a, b) => a.path.localeCompare(b.path));
  }

  /** `welcome.yaml` for an absolute path inside the folder (problems carry absolute paths). */
  relativePath(absolute: string): string {
    return relative(this.dir, absolute).split(sep).join('/');
  }
}

function isInside(root: string, path: string): boolean {
  const between = relative(root, path);
  return (
    between !== '' && !between.startsWith('..') && !between.startsWith(sep) && !/^[A-Za-z]:/.test(between)
  );
}
