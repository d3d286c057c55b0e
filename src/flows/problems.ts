/**
 * What the flow loader and validator report: one problem per mistake, with the file and the 1-based
 * line:column a marketer jumps to in their editor. Errors block loading; warnings never do.
 */
export type ProblemSeverity = 'error' | 'warning';

export interface FlowProblem {
  file: string;
  line: number;
  column: number;
  message: string;
  severity: ProblemSeverity;
}

/** `flows/newsletter.yaml:12:7: error: unknown step "thanks"` — the shape editors and CI annotate. */
export function formatProblem(problem: FlowProblem, file: string = problem.file): string {
  return `${file}:${problem.line}:${problem.column}: ${problem.severity}: ${problem.message}`;
}

/** By file, then position, then message, so output is stable and reads top to bottom. */
export function compareProblems(a: FlowProblem, b: FlowProblem): number {
  if (a.file !== b.file) return a.file < b.file ? -1 : 1;
  return a.line - b.line || a.column - b.column || a.message.localeCompare(b.message);
}

/** Sorts and drops exact repeats (the same mistake found by two checks). */
export function sortProblems(problems: readonly FlowProblem[]): FlowProblem[] {
  const seen = new Set<string>();
  const unique: FlowProblem[] = [];
  for (const problem of [...problems].sort(compareProblems)) {
    const key = formatProblem(problem);
    if (seen.has(key)) continue;
    seen.add(key);
    unique.push(problem);
  }
  return unique;
}

export function hasErrors(problems: readonly FlowProblem[]): boolean {
  return problems.some((problem) => problem.severity === 'error');
}

/** Thrown when a flow set cannot be loaded; its message lists every problem, one per line. */
export class FlowSetError extends Error {
  constructor(readonly problems: readonly FlowProblem[]) {
    const errors = problems.filter((problem) => problem.severity === 'error');
    super(
      `flows rejected (${errors.length} ${errors.length === 1 ? 'error' : 'errors'}):\n${problems
        .map((problem) => formatProblem(problem))
        .join('\n')}`,
    );
    this.name = 'FlowSetError';
  }
}
