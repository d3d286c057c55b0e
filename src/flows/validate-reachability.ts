/**
 * Steps nobody can reach (a warning: often a draft, but often a forgotten `next`) and steps that send
 * each other round in a circle without ever waiting for the customer (an error: the engine would spin).
 * A step counts as reachable from its flow's start, from another flow's `goto_flow: flow.step`, from a
 * `go:flow.step` jump payload on any button, from `settings.on_too_many_misses`, and from an action
 * argument that names `flow.step` (e.g. `events.list` with `detail: events.detail`).
 */
import type { ParsedFlowFile } from './loader.js';
import { parseFlowReference, parseJumpPayload } from './references.js';
import type { StepDefinition } from './schema.js';
import { isWaitingStep, stepTransitions } from './transitions.js';
import type { ValidationContext } from './validate-context.js';

/** The first step of a flow: `start`, else the first step written. */
export function startStepOf(flow: ParsedFlowFile['flow']): string | undefined {
  return flow.definition.start ?? Object.keys(flow.definition.steps)[0];
}

/** `flow.step` names that some place outside the flow's own edges can jump to. */
export function externalEntryPoints(context: ValidationContext): Set<string> {
  const entries = new Set<string>();
  const addReference = (text: string | undefined) => {
    if (!text) return;
    const reference = parseFlowReference(text);
    if (reference?.stepId) entries.add(`${reference.flowId}.${reference.stepId}`);
  };
  const addJumpPayloads = (text: string) => {
    for (const match of text.matchAll(/go:[a-z][a-z0-9_-]*\.[a-z][a-z0-9_-]*(\?[^\s"']*)?/g)) {
      const parsed = parseJumpPayload(match[0]);
      if (parsed.ok && parsed.jump.stepId) entries.add(`${parsed.jump.flowId}.${parsed.jump.stepId}`);
    }
  };
  const addStrings = (value: unknown) => {
    if (typeof value === 'string') {
      addReference(value);
      addJumpPayloads(value);
    } else if (Array.isArray(value)) value.forEach(addStrings);
    else if (value !== null && typeof value === 'object') Object.values(value).forEach(addStrings);
  };

  addReference(context.settings.on_too_many_misses);
  for (const flow of context.draft.flows) {
    for (const step of Object.values(flow.flow.definition.steps)) {
      addReference(step.goto_flow);
      for (const branchCase of step.branch ?? []) addReference(branchCase.goto_flow);
      for (const button of step.buttons ?? []) {
        addReference(button.goto_flow);
        if (button.payload) addJumpPayloads(button.payload);
      }
      addStrings(step.with);
    }
  }
  return entries;
}

/** The steps of `flow` that its start, an external entry point or another reached step leads to. */
export function reachableSteps(
  flow: ParsedFlowFile['flow'],
  entries: ReadonlySet<string>,
  context: Pick<ValidationContext, 'settings' | 'actions'>,
): Set<string> {
  const { definition } = flow;
  const steps = definition.steps;
  const start = startStepOf(flow);
  const queue = Object.keys(steps).filter(
    (stepId) => stepId === start || entries.has(`${definition.id}.${stepId}`),
  );
  const reached = new Set(queue);
  while (queue.length > 0) {
    const step = steps[queue.shift() as string];
    if (!step) continue;
    for (const transition of stepTransitions(step, context.settings.default_locale, context.actions)) {
      if (transition.target.kind !== 'step') continue;
      const next = transition.target.stepId;
      if (!reached.has(next) && next in steps) {
        reached.add(next);
        queue.push(next);
      }
    }
  }
  return reached;
}

export function checkReachability(context: ValidationContext, entries: ReadonlySet<string>): void {
  for (const flow of context.draft.flows) {
    // In a repaired flow, left-out jumps would show up as unreachable steps: noise, not news.
    if (flow.repaired) continue;
    const steps = flow.flow.definition.steps;
    const reached = reachableSteps(flow.flow, entries, context);
    for (const stepId of Object.keys(steps)) {
      if (reached.has(stepId)) continue;
      context.problems.warn(
        flow.source,
        ['steps', stepId],
        `step "${stepId}" is never reached: no step, button or other flow leads to it`,
        'key',
      );
    }
    checkEndlessLoops(context, flow);
  }
}

/** The one step a step always moves on to without waiting, or undefined when it waits, ends or decides. */
function unconditionalSuccessor(step: StepDefinition): string | undefined {
  if (isWaitingStep(step) || step.branch || step.on) return undefined;
  return step.goto ?? step.next;
}

function checkEndlessLoops(context: ValidationContext, flow: ParsedFlowFile): void {
  const steps = flow.flow.definition.steps;
  const reported = new Set<string>();
  for (const first of Object.keys(steps)) {
    const path: string[] = [];
    let current: string | undefined = first;
    while (current !== undefined && !path.includes(current)) {
      path.push(current);
      const step: StepDefinition | undefined = steps[current];
      current = step ? unconditionalSuccessor(step) : undefined;
    }
    if (current === undefined) continue;
    const cycle = path.slice(path.indexOf(current));
    const key = [...cycle].sort().join(' ');
    if (reported.has(key)) continue;
    reported.add(key);
    context.problems.add(
      flow.source,
      ['steps', cycle[0] as string],
      `endless loop: ${[...cycle, cycle[0]].join(' → ')} never waits for an answer`,
      { where: 'key' },
    );
  }
}
