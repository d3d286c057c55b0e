/**
 * The flow workbench behind the console screen: lists the files with their validation state, draws a flow
 * from the same graph `plausch flows graph` prints, validates drafts as the marketer types, and saves —
 * refused while the set would be invalid, refused on a conflicting edit (the save names the version it
 * started from), live at once through the same reload the server uses, and kept as a version that can be
 * compared and rolled back. Saves run one at a time: each validates the whole set against what is on disk.
 */
import { createTwoFilesPatch } from 'diff';
import type { ActionRegistry } from '../../engine/actions.js';
import { buildFlowGraph, type FlowGraph } from '../../flows/graph.js';
import type { FlowRepository } from '../../flows/repository.js';
import { ProblemList } from '../../flows/validate-context.js';
import { externalEntryPoints, reachableSteps } from '../../flows/validate-reachability.js';
import type { Logger } from '../../logger.js';
import { KeyedMutex } from '../../runtime/keyed-mutex.js';
import type { Feature } from '../types.js';
import {
  contentHash,
  FEATURE_OF_KIND,
  FlowsFolder,
  kindOfPath,
  type WorkbenchFileInfo,
  type WorkbenchFileKind,
} from './files.js';
import type { WorkbenchSimulator } from './simulator.js';
import type { WorkbenchSync } from './sync.js';
import {
  type DraftProblem,
  type Drafts,
  type DraftValidation,
  inspectFlowDrafts,
  validateDraft,
} from './validate-draft.js';
import type { FileVersion, VersionAuthor, VersionHistory } from './versions.js';

export class WorkbenchConflictError extends Error {
  readonly status = 409;
  constructor(
    readonly current: { text: string | null; hash: string },
    readonly lastVersion: FileVersion | undefined,
    /** What changed between the version the editor started from and the file now, when that is known. */
    readonly diff: string | undefined,
  ) {
    super('someone else saved this file after you opened it');
    this.name = 'WorkbenchConflictError';
  }
}

export class WorkbenchInvalidError extends Error {
  readonly status = 422;
  constructor(readonly problems: readonly DraftProblem[]) {
    super('not saved: with this change the files would not load');
    this.name = 'WorkbenchInvalidError';
  }
}

export class WorkbenchNotFoundError extends Error {
  readonly status = 404;
}

export interface FlowSummary extends WorkbenchFileInfo {
  flowId?: string;
  errors: number;
  warnings: number;
  /** Keywords, payloads, /start and fallback triggers in words. */
  triggers: string[];
  lastChange?: { at: string; by: string | null };
}

export interface OpenedFile {
  path: string;
  kind: WorkbenchFileKind;
  text: string;
  hash: string;
  validation: DraftValidation;
}

export interface WorkbenchDeps {
  flowsDir: string;
  flows: FlowRepository;
  actions: ActionRegistry;
  features: readonly Feature[];
  history: VersionHistory;
  simulator: WorkbenchSimulator;
  logger: Logger;
  /** Carries saves to and from the other instances on the same database; absent = this instance alone. */
  sync?: WorkbenchSync;
}

export class Workbench {
  readonly folder: FlowsFolder;
  readonly #saves = new KeyedMutex();

  constructor(private readonly deps: WorkbenchDeps) {
    this.folder = new FlowsFolder(deps.flowsDir);
  }

  get versionsMode(): 'git' | 'store' {
    return this.deps.history.mode;
  }

  async list(): Promise<FlowSummary[]> {
    const files = await this.folder.list();
    const inspection = await inspectFlowDrafts(this.folder, this.deps.actions, new Map());
    const flowsByPath = new Map(
      inspection.directory.flows.map((parsed) => [
        this.folder.relativePath(parsed.flow.file),
        parsed.flow.definition,
      ]),
    );
    return Promise.all(
      files.map(async (file) => {
        const problems = inspection.problems.filter((problem) => problem.file === file.path);
        const definition = flowsByPath.get(file.path);
        const [latest] = await this.deps.history.list(file.path, 1).catch(() => []);
        return {
          ...file,
          ...(definition
            ? { flowId: definition.id, triggers: describeTriggers(definition.triggers) }
            : { triggers: [] }),
          errors: problems.filter((problem) => problem.severity === 'error').length,
          warnings: problems.filter((problem) => problem.severity === 'warning').length,
          ...(latest ? { lastChange: { at: latest.createdAt, by: latest.author?.name ?? null } } : {}),
        };
      }),
    );
  }

  async open(path: string): Promise<OpenedFile> {
    const { kind } = await this.folder.resolve(path);
    const text = await this.folder.read(path);
    if (text === null) throw new WorkbenchNotFoundError(`there is no file "${path}"`);
    const validation = await validateDraft(this.folder, this.deps.actions, path, kind, text);
    return { path, kind, text, hash: contentHash(text), validation };
  }

  async validate(path: string, text: string): Promise<DraftValidation> {
    const { kind } = await this.folder.resolve(path);
    return validateDraft(this.folder, this.deps.actions, path, kind, text);
  }

  /** The diagram of the flow in `path` with `drafts` in place; works for a draft with errors too. */
  async graph(
    path: string,
    drafts: Drafts,
  ): Promise<{ graph: FlowGraph; validation: DraftValidation } | undefined> {
    if (kindOfPath(path) !== 'flow') return undefined;
    const inspection = await inspectFlowDrafts(this.folder, this.deps.actions, drafts);
    const { directory } = inspection;
    const parsed = directory.flows.find((flow) => this.folder.relativePath(flow.flow.file) === path);
    if (!parsed) return undefined;
    const flowsById = new Map(directory.flows.map((flow) => [flow.flow.definition.id, flow]));
    const context = {
      draft: directory,
      settings: directory.settings,
      actions: this.deps.actions,
      flowsById,
      problems: new ProblemList(),
    };
    const reached = reachableSteps(parsed.flow, externalEntryPoints(context), context);
    const unreachable = new Set(
      Object.keys(parsed.flow.definition.steps).filter((step) => !reached.has(step)),
    );
    const knownSteps = new Map(
      directory.flows.map((flow) => [flow.flow.definition.id, Object.keys(flow.flow.definition.steps)]),
    );
    for (const id of directory.brokenFlowIds) if (!knownSteps.has(id)) knownSteps.set(id, []);
    const graph = buildFlowGraph({
      definition: parsed.flow.definition,
      source: parsed.source,
      defaultLocale: directory.settings.default_locale,
      actions: this.deps.actions,
      knownSteps,
      ...(parsed.repaired ? {} : { unreachable }),
    });
    return { graph, validation: { ok: inspection.ok, problems: inspection.problems } };
  }

  /**
   * Saves `text` if the file still has `baseHash` and the whole set stays valid; writes
   * atomically, reloads what reads the file, and records a version. A reload that still refuses the new
   * files (it should not: the same loaders validated them) puts the old file back.
   */
  async save(input: {
    path: string;
    text: string;
    baseHash: string;
    author: VersionAuthor;
    message?: string;
  }): Promise<{ version: FileVersion; hash: string; validation: DraftValidation }> {
    const { path, text, baseHash, author } = input;
    const { kind } = await this.folder.resolve(path);
    return this.#saves.run('save', async () => {
      // Another instance's save of this file must be here before the conflict check can be trusted.
      await this.#catchUp();
      const current = await this.folder.read(path);
      const currentHash = contentHash(current);
      if (currentHash !== baseHash) throw await this.#conflict(path, baseHash, current);
      const validation = await validateDraft(this.folder, this.deps.actions, path, kind, text);
      if (!validation.ok) throw new WorkbenchInvalidError(validation.problems);

      const sync = this.deps.sync;
      const message = input.message?.trim() || `${path}: changed in the workbench by ${author.name}`;
      if (sync && !(await sync.claim({ path, baseHash, text, author, message }))) {
        // Saved on another instance a moment ago: take that save, then report it like a local conflict.
        await this.#catchUp();
        throw await this.#conflict(path, baseHash, await this.folder.read(path));
      }
      await this.deps.history.keepOutsideChange(path, current);
      await this.folder.write(path, text);
      try {
        await this.#reload(kind);
      } catch (error) {
        await this.folder.write(path, current);
        await this.#reload(kind).catch(() => undefined);
        // The claimed revision is already visible to the others: a revision back to the old text undoes it.
        await sync
          ?.claim({
            path,
            baseHash: contentHash(text),
            text: current,
            author,
            message: `${path}: save undone`,
          })
          .then(() => sync.notify())
          .catch((undo: unknown) =>
            this.deps.logger.error(
              { err: undo, path },
              'could not tell the other instances that a save was undone; they may run the new text',
            ),
          );
        throw error;
      }
      const version = await this.deps.history.record(path, text, author, message);
      sync?.notify();
      this.deps.logger.info({ path, version: version.id, author: author.email }, 'workbench saved a file');
      return { version, hash: contentHash(text), validation };
    });
  }

  /**
   * Takes the saves other instances made (writing them where this instance's file is still the one they
   * started from) and reloads what they touched. The timer and the PostgreSQL notice call this.
   */
  syncNow(): Promise<void> {
    return this.#saves.run('save', () => this.#catchUp());
  }

  async #catchUp(): Promise<void> {
    const sync = this.deps.sync;
    if (!sync) return;
    const changes = await sync.catchUp().catch((error: unknown) => {
      this.deps.logger.warn({ err: error }, "could not read the other instances' workbench saves");
      return [];
    });
    if (changes.length === 0) return;
    // Where the flows are a git checkout of this instance's own, a save written here is committed as the
    // author's (in store mode the shared versions table already has it).
    if (this.deps.history.mode === 'git') {
      for (const change of changes.filter((candidate) => candidate.written)) {
        await this.deps.history
          .record(
            change.path,
            change.text,
            change.author ?? { name: 'Plausch workbench', email: '' },
            change.message ?? `${change.path}: changed in the workbench on another instance`,
          )
          .catch((error: unknown) =>
            this.deps.logger.warn({ err: error, path: change.path }, 'could not commit a synced save'),
          );
      }
    }
    // Flows and their settings reload as one set; each other kind once.
    const kinds = new Set(changes.map((change) => (change.kind === 'flow-settings' ? 'flow' : change.kind)));
    for (const kind of kinds) {
      await this.#reload(kind).catch((error: unknown) =>
        this.deps.logger.error(
          { err: error, kind },
          'a workbench save from another instance did not load here; the last good set stays',
        ),
      );
    }
    this.deps.logger.info(
      { files: changes.map((change) => `${change.path}@${change.rev}${change.written ? ' (written)' : ''}`) },
      'took workbench saves from another instance',
    );
  }

  async #conflict(path: string, baseHash: string, current: string | null): Promise<WorkbenchConflictError> {
    const [lastVersion] = await this.deps.history.list(path, 1);
    return new WorkbenchConflictError(
      { text: current, hash: contentHash(current) },
      lastVersion,
      await this.#diffFromHash(path, baseHash, current),
    );
  }

  /** Puts a version's text back as a new version (so the rollback itself can be undone). */
  async rollback(input: {
    path: string;
    versionId: string;
    baseHash: string;
    author: VersionAuthor;
  }): Promise<{ version: FileVersion; hash: string; text: string }> {
    const content = await this.deps.history.content(input.path, input.versionId);
    if (content === null)
      throw new WorkbenchInvalidError([
        {
          file: input.path,
          line: 1,
          column: 1,
          severity: 'error',
          message: 'that version had deleted the file; nothing to roll back to',
        },
      ]);
    if (content === undefined)
      throw new WorkbenchNotFoundError(`no version ${input.versionId} of ${input.path}`);
    const versions = await this.deps.history.list(input.path, 200);
    const target = versions.find((version) => version.id === input.versionId);
    const when = target ? target.createdAt.slice(0, 16).replace('T', ' ') : input.versionId.slice(0, 8);
    const saved = await this.save({
      path: input.path,
      text: content,
      baseHash: input.baseHash,
      author: input.author,
      message: `${input.path}: rolled back to the version of ${when} by ${input.author.name}`,
    });
    return { version: saved.version, hash: saved.hash, text: content };
  }

  async versions(path: string): Promise<FileVersion[]> {
    await this.folder.resolve(path);
    return this.deps.history.list(path, 100);
  }

  /** A unified diff between two versions; `current` is the file on disk, `previous` the version before `to`. */
  async compare(path: string, from: string, to: string): Promise<{ diff: string; from: string; to: string }> {
    await this.folder.resolve(path);
    const versions = await this.deps.history.list(path, 200);
    let fromId = from;
    if (from === 'previous') {
      const index = versions.findIndex((version) => version.id === to);
      fromId = index >= 0 && versions[index + 1] ? (versions[index + 1] as FileVersion).id : 'empty';
    }
    const textOf = async (id: string): Promise<string> => {
      if (id === 'current') return (await this.folder.read(path)) ?? '';
      if (id === 'empty') return '';
      const content = await this.deps.history.content(path, id);
      if (content === undefined) throw new WorkbenchNotFoundError(`no version ${id} of ${path}`);
      return content ?? '';
    };
    const [before, after] = await Promise.all([textOf(fromId), textOf(to)]);
    return {
      diff: createTwoFilesPatch(path, path, before, after, fromId, to, { context: 3 }),
      from: fromId,
      to,
    };
  }

  async #diffFromHash(path: string, baseHash: string, current: string | null): Promise<string | undefined> {
    // The editor's starting point is one of the recorded versions when it was opened after a save.
    for (const version of await this.deps.history.list(path, 20)) {
      const content = await this.deps.history.content(path, version.id);
      if (content !== undefined && contentHash(content) === baseHash) {
        return createTwoFilesPatch(
          path,
          path,
          content ?? '',
          current ?? '',
          'your starting point',
          'saved now',
        );
      }
    }
    return undefined;
  }

  async #reload(kind: WorkbenchFileKind): Promise<void> {
    if (kind === 'flow' || kind === 'flow-settings') {
      const taken = await this.deps.flows.reload();
      if (!taken) {
        const problems = this.deps.flows.status().rejected?.problems ?? [];
        throw new WorkbenchInvalidError(
          problems.map((problem) => ({ ...problem, file: this.folder.relativePath(problem.file) })),
        );
      }
      return;
    }
    const featureName = FEATURE_OF_KIND[kind];
    if (featureName) {
      const feature = this.deps.features.find((candidate) => candidate.name === featureName);
      await feature?.reload?.();
      await this.deps.simulator.dataChanged();
    }
  }
}

function describeTriggers(triggers: unknown): string[] {
  if (!triggers || typeof triggers !== 'object') return [];
  const described: string[] = [];
  for (const [kind, value] of Object.entries(triggers as Record<string, unknown>)) {
    if (value === true) described.push(kind);
    else if (Array.isArray(value)) described.push(...value.map((item) => `${kind}: ${String(item)}`));
    else if (value && typeof value === 'object') {
      for (const [locale, words] of Object.entries(value as Record<string, unknown>)) {
        const list = Array.isArray(words) ? words.map(String).join(', ') : String(words);
        described.push(`${kind} (${locale}): ${list}`);
      }
    } else if (value !== undefined && value !== false) described.push(`${kind}: ${String(value)}`);
  }
  return described;
}
