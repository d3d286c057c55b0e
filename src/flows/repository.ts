/**
 * Keeps the running flow set and replaces it when the files change: the folder is watched, changes are
 * debounced, and a new set is swapped in only when it loads without errors. A broken edit never takes a
 * working bot down: the last good set stays, and every problem is logged and announced.
 */
import { type FSWatcher, watch } from 'node:fs';
import type { ActionRegistry } from '../engine/actions.js';
import type { Logger } from '../logger.js';
import { countSteps, loadFlowSet } from './flow-set.js';
import { isFlowFileName, isSettingsFileName } from './loader.js';
import { type FlowProblem, FlowSetError, formatProblem } from './problems.js';
import type { FlowSet } from './schema.js';

export interface FlowRepositoryEvents {
  reloaded: { flowSet: FlowSet; warnings: FlowProblem[] };
  rejected: { problems: FlowProblem[]; rejectedAt: Date };
}

type Listener<Event extends keyof FlowRepositoryEvents> = (payload: FlowRepositoryEvents[Event]) => void;

export interface FlowRepositoryOptions {
  /** Quiet time after the last change before reloading; editors write a file in several steps. */
  debounceMs?: number;
  /** Off for one-shot use (the CLI, tests that call reload() themselves). */
  watch?: boolean;
}

/** What /readyz and the console show about the flows. */
export interface FlowRepositoryStatus {
  loadedAt: Date;
  flows: number;
  steps: number;
  warnings: FlowProblem[];
  /** Problems of the last rejected change, until a later change loads. */
  rejected?: { problems: FlowProblem[]; rejectedAt: Date };
}

export class FlowRepository {
  #flowSet: FlowSet;
  #warnings: FlowProblem[];
  #rejected: FlowRepositoryStatus['rejected'];
  #watcher: FSWatcher | undefined;
  #debounce: NodeJS.Timeout | undefined;
  #reloading: Promise<void> = Promise.resolve();
  #closed = false;
  readonly #listeners: { [Event in keyof FlowRepositoryEvents]: Set<Listener<Event>> } = {
    reloaded: new Set(),
    rejected: new Set(),
  };

  private constructor(
    readonly dir: string,
    private readonly actions: ActionRegistry,
    private readonly logger: Logger,
    flowSet: FlowSet,
    warnings: FlowProblem[],
  ) {
    this.#flowSet = flowSet;
    this.#warnings = warnings;
  }

  /**
   * Loads the folder and starts watching it. Throws a FlowSetError listing every problem when the first
   * load fails: the server must not start with a broken set, and the operator must see why.
   */
  static async open(
    dir: string,
    actions: ActionRegistry,
    logger: Logger,
    options: FlowRepositoryOptions = {},
  ): Promise<FlowRepository> {
    const result = await loadFlowSet(dir, actions);
    if (!result.ok) throw new FlowSetError(result.problems);
    const repository = new FlowRepository(dir, actions, logger, result.flowSet, result.warnings);
    repository.#logLoaded('flows loaded', result.flowSet, result.warnings);
    if (options.watch !== false) repository.#startWatching(options.debounceMs ?? 200);
    return repository;
  }

  /** The set to run this turn with. Take it once per turn: a reload may swap it between turns. */
  current(): FlowSet {
    return this.#flowSet;
  }

  status(): FlowRepositoryStatus {
    return {
      loadedAt: this.#flowSet.loadedAt,
      flows: this.#flowSet.flows.size,
      steps: countSteps(this.#flowSet),
      warnings: this.#warnings,
      ...(this.#rejected ? { rejected: this.#rejected } : {}),
    };
  }

  /** Subscribes to an event; returns the function that unsubscribes. */
  on<Event extends keyof FlowRepositoryEvents>(event: Event, listener: Listener<Event>): () => void {
    const listeners = this.#listeners[event] as Set<Listener<Event>>;
    listeners.add(listener);
    return () => listeners.delete(listener);
  }

  /**
   * Loads the folder again (on a file change, SIGHUP or a console button). Reloads run one after another,
   * so a slow load never overwrites a newer one. Resolves with whether the new set was taken.
   */
  reload(): Promise<boolean> {
    const run = this.#reloading.then(() => this.#reloadNow());
    this.#reloading = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#debounce);
    this.#watcher?.close();
    this.#watcher = undefined;
    await this.#reloading;
  }

  async #reloadNow(): Promise<boolean> {
    if (this.#closed) return false;
    let result: Awaited<ReturnType<typeof loadFlowSet>>;
    try {
      result = await loadFlowSet(this.dir, this.actions);
    } catch (error) {
      // An unexpected failure (permissions, a bug) must not end the process; the old set keeps running.
      this.logger.error(
        { err: error, dir: this.dir },
        'flows reload failed unexpectedly; keeping the last good set',
      );
      return false;
    }
    if (this.#closed) return false;
    if (!result.ok) {
      this.#rejected = { problems: result.problems, rejectedAt: new Date() };
      const kept = this.#flowSet.loadedAt.toISOString();
      this.logger.error(
        { dir: this.dir, problems: result.problems.length, kept },
        'flows rejected; keeping the last good set',
      );
      for (const problem of result.problems) {
        const line = `flows rejected: ${formatProblem(problem)}`;
        if (problem.severity === 'error') this.logger.error(line);
        else this.logger.warn(line);
      }
      this.#emit('rejected', this.#rejected);
      return false;
    }
    this.#flowSet = result.flowSet;
    this.#warnings = result.warnings;
    this.#rejected = undefined;
    this.#logLoaded('flows reloaded', result.flowSet, result.warnings);
    this.#emit('reloaded', { flowSet: result.flowSet, warnings: result.warnings });
    return true;
  }

  #logLoaded(message: string, flowSet: FlowSet, warnings: FlowProblem[]): void {
    this.logger.info(
      { dir: this.dir, flows: flowSet.flows.size, steps: countSteps(flowSet), warnings: warnings.length },
      message,
    );
    for (const warning of warnings) this.logger.warn(formatProblem(warning));
  }

  #emit<Event extends keyof FlowRepositoryEvents>(event: Event, payload: FlowRepositoryEvents[Event]): void {
    for (const listener of this.#listeners[event] as Set<Listener<Event>>) {
      try {
        listener(payload);
      } catch (error) {
        this.logger.error({ err: error, event }, 'flow repository listener failed');
      }
    }
  }

  /**
   * Only the folder's own files matter (subfolders belong to other loaders), so a plain, non-recursive
   * watch suffices and stays quiet while the FAQ or event files change; editors that save through a
   * temporary file and a rename show up as a rename of the .yaml name.
   */
  #startWatching(debounceMs: number): void {
    try {
      this.#watcher = watch(this.dir, { persistent: false }, (_event, filename) => {
        const name = filename?.toString();
        if (name && !isRelevantChange(name)) return;
        clearTimeout(this.#debounce);
        this.#debounce = setTimeout(() => {
          void this.reload();
        }, debounceMs);
      });
      this.#watcher.on('error', (error) => {
        this.logger.error(
          { err: error, dir: this.dir },
          'watching the flow folder failed; reload with SIGHUP',
        );
      });
    } catch (error) {
      this.logger.warn({ err: error, dir: this.dir }, 'cannot watch the flow folder; reload with SIGHUP');
    }
  }
}

/**
 * A flow file, the settings, or a Kubernetes ConfigMap swap (`..data` symlinks replaced at once).
 * Editor backups and swap files (`.x.yaml.swp`, `x.yaml~`) are not.
 */
function isRelevantChange(name: string): boolean {
  return isFlowFileName(name) || isSettingsFileName(name) || name.startsWith('..');
}
