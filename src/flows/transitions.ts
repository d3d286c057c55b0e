/**
 * Where a step can lead, as the engine would walk it: action outcomes (`on:`), buttons, branch cases,
 * then `goto`/`goto_flow`/`next`, else the end of the flow. The validator uses this for reachability and
 * endless loops, the graph export draws it.
 */
import type { ActionRegistry } from '../engine/actions.js';
import { parseFlowReference, parseJumpPayload } from './references.js';
import type { Condition, LocalizedText, StepDefinition } from './schema.js';
import type { YamlPath } from './yaml-source.js';

export type TransitionTarget =
  | { kind: 'step'; stepId: string }
  | { kind: 'flow'; flowId: string; stepId?: string }
  | { kind: 'end' };

export interface Transition {
  /** What takes this way: an action outcome, a button, a branch case, an answer, or simply "next". */
  via: 'outcome' | 'button' | 'branch' | 'answer' | 'otherwise' | 'next';
  /** Outcome name, button label (default locale) or condition summary. */
  label?: string;
  target: TransitionTarget;
  /** Where the target is written (for positions), relative to the step. */
  path: YamlPath;
}

export function isWaitingStep(step: StepDefinition): boolean {
  return Boolean(step.buttons?.some((button) => !button.url) || step.ask);
}

/** The step's own continuation: `branch` cases, then goto/goto_flow/next, else the end. */
function continuation(step: StepDefinition, via: Transition['via'], label?: string): Transition[] {
  const transitions: Transition[] = [];
  let hasDefaultCase = false;
  step.branch?.forEach((branchCase, index) => {
    if (!branchCase.when) hasDefaultCase = true;
    const caseLabel = branchCase.when ? summarizeCondition(branchCase.when) : 'else';
    const combined = label ? `${label}: ${caseLabel}` : caseLabel;
    transitions.push({
      via: 'branch',
      label: combined,
      target: jumpTarget(branchCase) ?? { kind: 'end' },
      path: ['branch', index],
    });
  });
  if (hasDefaultCase) return transitions;
  const target =
    jumpTarget(step) ?? (step.next ? { kind: 'step' as const, stepId: step.next } : { kind: 'end' as const });
  const path: YamlPath = step.goto
    ? ['goto']
    : step.goto_flow
      ? ['goto_flow']
      : step.next
        ? ['next']
        : step.end
          ? ['end']
          : [];
  transitions.push({ via, ...(label ? { label } : {}), target, path });
  return transitions;
}

function jumpTarget(jump: {
  goto?: string | undefined;
  goto_flow?: string | undefined;
}): TransitionTarget | undefined {
  if (jump.goto) return { kind: 'step', stepId: jump.goto };
  if (jump.goto_flow) {
    const reference = parseFlowReference(jump.goto_flow);
    if (reference) return { kind: 'flow', ...reference };
  }
  return undefined;
}

/** A button whose payload is `go:flow.step?…` jumps there when pressed, whatever the step says. */
function payloadJumpTarget(payload: string | undefined): TransitionTarget | undefined {
  if (!payload) return undefined;
  const parsed = parseJumpPayload(payload);
  if (!parsed.ok) return undefined;
  const { flowId, stepId } = parsed.jump;
  return stepId ? { kind: 'flow', flowId, stepId } : { kind: 'flow', flowId };
}

/**
 * Every way out of a step. `defaultLocale` picks the button label shown; the registry tells whether the
 * `on:` map covers every outcome (then the step's own continuation is only taken for none of them).
 */
export function stepTransitions(
  step: StepDefinition,
  defaultLocale: string,
  actions?: ActionRegistry,
): Transition[] {
  const transitions: Transition[] = [];
  const onEntries = Object.entries(step.on ?? {});
  for (const [outcome, stepId] of onEntries) {
    transitions.push({
      via: 'outcome',
      label: outcome,
      target: { kind: 'step', stepId },
      path: ['on', outcome],
    });
  }
  const outcomes = step.action ? actions?.get(step.action)?.outcomes : undefined;
  const everyOutcomeCovered =
    outcomes !== undefined && outcomes.length > 0 && outcomes.every((o) => step.on?.[o]);
  if (everyOutcomeCovered && !isWaitingStep(step)) return transitions;

  const choiceButtons = (step.buttons ?? [])
    .map((button, index) => ({ button, index }))
    .filter(({ button }) => !button.url);
  if (choiceButtons.length > 0) {
    let someButtonContinues = false;
    for (const { button, index } of choiceButtons) {
      const label = textInLocale(button.label, defaultLocale);
      const target = jumpTarget(button) ?? payloadJumpTarget(button.payload);
      if (target) {
        const key = button.goto ? 'goto' : button.goto_flow ? 'goto_flow' : 'payload';
        transitions.push({ via: 'button', label, target, path: ['buttons', index, key] });
      } else {
        someButtonContinues = true;
        transitions.push(...continuation(step, 'button', label));
      }
    }
    // An answer that is no button (typed text, a payload an action offered) takes the step's own way on.
    const hasOwnWayOn = Boolean(step.next || step.goto || step.goto_flow || step.branch);
    if (!someButtonContinues && (hasOwnWayOn || (step.expect && step.expect !== 'choice'))) {
      transitions.push(...continuation(step, 'answer', 'other answer'));
    }
    return transitions;
  }
  const via: Transition['via'] = step.ask ? 'answer' : onEntries.length > 0 ? 'otherwise' : 'next';
  transitions.push(...continuation(step, via));
  return transitions;
}

/** The text for one locale: the map's entry, else the plain text, else the first entry. */
export function textInLocale(text: LocalizedText, locale: string): string {
  if (typeof text === 'string') return text;
  return text[locale] ?? Object.values(text)[0] ?? '';
}

/** A short, readable form of a condition for graph labels: `vars.age ≥ 18`, `not (vars.x is set)`. */
export function summarizeCondition(condition: Condition): string {
  if ('all' in condition) return condition.all.map(summarizeCondition).join(' and ');
  if ('any' in condition) return condition.any.map(summarizeCondition).join(' or ');
  if ('not' in condition) return `not (${summarizeCondition(condition.not)})`;
  const parts: string[] = [];
  const literal = (value: unknown) => (typeof value === 'string' ? `'${value}'` : String(value));
  if (condition.equals !== undefined) parts.push(`= ${literal(condition.equals)}`);
  if (condition.not_equals !== undefined) parts.push(`≠ ${literal(condition.not_equals)}`);
  if (condition.gt !== undefined) parts.push(`> ${condition.gt}`);
  if (condition.gte !== undefined) parts.push(`≥ ${condition.gte}`);
  if (condition.lt !== undefined) parts.push(`< ${condition.lt}`);
  if (condition.lte !== undefined) parts.push(`≤ ${condition.lte}`);
  if (condition.in !== undefined) parts.push(`in [${condition.in.map(literal).join(', ')}]`);
  if (condition.contains !== undefined) parts.push(`contains ${literal(condition.contains)}`);
  if (condition.matches !== undefined) parts.push(`~ /${condition.matches}/`);
  if (condition.exists !== undefined) parts.push(condition.exists ? 'is set' : 'is not set');
  return `${condition.var} ${parts.join(' and ')}`;
}
