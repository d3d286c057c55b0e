/**
 * Loads a flow folder all-or-nothing: the files are read and shape-checked, then validated as a set.
 * A set with any error is never handed out, not even partly; warnings travel with a good set.
 */
import type { ActionRegistry } from '../engine/actions.js';
import { type FlowDirectory, type ReadFlowDirectoryOptions, readFlowDirectory } from './loader.js';
import { type FlowProblem, hasErrors, sortProblems } from './problems.js';
import type { FlowSet, LoadedFlow } from './schema.js';
import { validateFlowSet } from './validate.js';

export type FlowSetLoadResult =
  | { ok: true; flowSet: FlowSet; warnings: FlowProblem[] }
  | { ok: false; problems: FlowProblem[] };

/**
 * Reads and validates a folder (with unsaved drafts laid over it) and keeps what was read, so the
 * workbench can draw a broken draft next to its problems.
 */
export async function inspectFlowDirectory(
  dir: string,
  actions: ActionRegistry,
  options: ReadFlowDirectoryOptions = {},
): Promise<{ directory: FlowDirectory; problems: FlowProblem[] }> {
  const directory = await readFlowDirectory(dir, options);
  // Cross-file checks run even when some files are broken, so one run shows every mistake; references to
  // a broken file's flow are not reported again (see brokenFlowIds).
  const problems = sortProblems([...directory.problems, ...validateFlowSet(directory, actions)]);
  return { directory, problems };
}

export async function loadFlowSet(
  dir: string,
  actions: ActionRegistry,
  options: ReadFlowDirectoryOptions = {},
): Promise<FlowSetLoadResult> {
  const { directory, problems } = await inspectFlowDirectory(dir, actions, options);
  if (hasErrors(problems)) return { ok: false, problems };
  const flows = new Map<string, LoadedFlow>();
  for (const parsed of directory.flows)
    if (!parsed.repaired) flows.set(parsed.flow.definition.id, parsed.flow);
  return {
    ok: true,
    flowSet: { settings: directory.settings, flows, loadedAt: new Date() },
    warnings: problems,
  };
}

/** Counts for summaries: `6 flows, 42 steps`. */
export function countSteps(flowSet: FlowSet): number {
  let steps = 0;
  for (const flow of flowSet.flows.values()) steps += Object.keys(flow.definition.steps).length;
  return steps;
}
