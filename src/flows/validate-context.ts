/** What every cross-file check shares: the flows by id, the settings, the actions and where problems go. */
import type { ActionRegistry } from '../engine/actions.js';
import type { ParsedFlowFile } from './loader.js';
import type { FlowProblem, ProblemSeverity } from './problems.js';
import type { FlowSettings } from './schema.js';
import { keyPosition, valuePosition, type YamlPath, type YamlSource } from './yaml-source.js';

/** Everything read from a flow folder that passed the per-file checks. */
export interface FlowSetDraft {
  settings: FlowSettings;
  /** The settings file, when there is one; problems in settings point into it. */
  settingsSource?: YamlSource;
  flows: readonly ParsedFlowFile[];
  /** Flows that exist but failed their own checks; naming them is not reported again. */
  brokenFlowIds?: readonly string[];
}

export class ProblemList {
  readonly items: FlowProblem[] = [];

  /** Reports at the value at `path` (default) or at its key (`where: 'key'`). */
  add(
    source: YamlSource,
    path: YamlPath,
    message: string,
    options: { severity?: ProblemSeverity; where?: 'key' | 'value' } = {},
  ): void {
    const position = options.where === 'key' ? keyPosition(source, path) : valuePosition(source, path);
    this.items.push({ file: source.file, ...position, message, severity: options.severity ?? 'error' });
  }

  warn(source: YamlSource, path: YamlPath, message: string, where: 'key' | 'value' = 'value'): void {
    this.add(source, path, message, { severity: 'warning', where });
  }
}

export interface ValidationContext {
  draft: FlowSetDraft;
  settings: FlowSettings;
  actions: ActionRegistry;
  /** The first file that defines each flow id (duplicates are reported, not indexed). */
  flowsById: ReadonlyMap<string, ParsedFlowFile>;
  problems: ProblemList;
}
