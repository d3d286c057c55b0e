/**
 * `plausch flows check`: loads a flow folder as the server would and prints every problem as
 * `file:line:column: error|warning: message` (paths relative to the working directory, so editors and
 * CI annotate them), then one summary line. Exit code 1 when anything would stop the set from loading.
 */
import { relative } from 'node:path';
import type { ActionRegistry } from '../engine/actions.js';
import { countSteps, loadFlowSet } from './flow-set.js';
import { type FlowProblem, formatProblem } from './problems.js';

export async function runFlowsCheck(
  dir: string,
  actions: ActionRegistry,
  out: (line: string) => void,
  cwd: string = process.cwd(),
): Promise<number> {
  const result = await loadFlowSet(dir, actions);
  const problems = result.ok ? result.warnings : result.problems;
  const display = (problem: FlowProblem) => relative(cwd, problem.file) || problem.file;
  const sorted = [...problems].sort(
    (a, b) => display(a).localeCompare(display(b)) || a.line - b.line || a.column - b.column,
  );
  for (const problem of sorted) out(formatProblem(problem, display(problem)));

  const warnings = problems.filter((problem) => problem.severity === 'warning').length;
  if (result.ok) {
    const flows = result.flowSet.flows.size;
    const steps = countSteps(result.flowSet);
    const warningNote = warnings > 0 ? `, ${plural(warnings, 'warning')}` : '';
    out(`flows OK: ${plural(flows, 'flow')}, ${plural(steps, 'step')}${warningNote}`);
    return 0;
  }
  const errors = problems.length - warnings;
  const files = new Set(problems.map((problem) => problem.file)).size;
  out(`${plural(errors, 'error')}, ${plural(warnings, 'warning')} in ${plural(files, 'file')}`);
  return 1;
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}
