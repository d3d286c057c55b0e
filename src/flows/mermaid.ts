/**
 * Draws one flow as a Mermaid `flowchart TD` for the console and the docs: a node per step (its name and
 * the first words of what it says or asks), edges for next/goto, action outcomes, branch cases and
 * buttons, a distinct shape for jumps into other flows, and an end node.
 */
import type { ActionRegistry } from '../engine/actions.js';
import type { FlowSet, StepDefinition } from './schema.js';
import { stepTransitions, type Transition, textInLocale } from './transitions.js';

export class UnknownFlowError extends Error {
  constructor(
    readonly flowId: string,
    known: readonly string[],
  ) {
    super(`no flow "${flowId}"; known flows: ${known.join(', ') || 'none'}`);
    this.name = 'UnknownFlowError';
  }
}

const PREVIEW_WORDS = 6;
const MAX_EDGE_LABEL = 60;

export function flowToMermaid(flowSet: FlowSet, flowId: string, actions?: ActionRegistry): string {
  const flow = flowSet.flows.get(flowId);
  if (!flow) throw new UnknownFlowError(flowId, [...flowSet.flows.keys()].sort());
  const locale = flowSet.settings.default_locale;
  const steps = flow.definition.steps;
  const stepIds = Object.keys(steps);
  const nodeIds = new Map(
    stepIds.map((stepId, index) => [stepId, `step${index}_${stepId.replace(/-/g, '_')}`]),
  );
  const startStep = flow.definition.start ?? stepIds[0];

  const lines = ['flowchart TD'];
  lines.push(`  flow_start((("${escapeLabel(flowId)}")))`);
  for (const stepId of stepIds) {
    const step = steps[stepId] as StepDefinition;
    lines.push(`  ${nodeIds.get(stepId)}${stepShape(stepId, step, locale)}`);
  }
  if (startStep) lines.push(`  flow_start --> ${nodeIds.get(startStep)}`);

  const otherFlows = new Map<string, string>();
  let usesEnd = false;
  for (const stepId of stepIds) {
    const step = steps[stepId] as StepDefinition;
    for (const transition of stepTransitions(step, locale, actions)) {
      const target = targetNode(flowId, transition, nodeIds, otherFlows);
      if (target === 'end_node') usesEnd = true;
      const text = transition.label ?? (transition.via === 'otherwise' ? 'otherwise' : undefined);
      const label = text ? `|"${escapeLabel(shorten(text, MAX_EDGE_LABEL))}"|` : '';
      lines.push(`  ${nodeIds.get(stepId)} -->${label} ${target}`);
    }
  }
  for (const [reference, node] of otherFlows) lines.push(`  ${node}[["→ ${escapeLabel(reference)}"]]`);
  if (usesEnd) lines.push('  end_node(("end"))');
  lines.push('  classDef flowJump fill:#f4ecdf,stroke:#7a5230;');
  if (otherFlows.size > 0) lines.push(`  class ${[...otherFlows.values()].join(',')} flowJump;`);
  return `${lines.join('\n')}\n`;
}

function targetNode(
  flowId: string,
  transition: Transition,
  nodeIds: Map<string, string>,
  otherFlows: Map<string, string>,
): string {
  const target = transition.target;
  if (target.kind === 'end') return 'end_node';
  // A jump payload into the same flow is drawn as an ordinary edge.
  const stepId =
    target.kind === 'step' ? target.stepId : target.flowId === flowId ? target.stepId : undefined;
  if (stepId !== undefined) return nodeIds.get(stepId) ?? `missing_${stepId.replace(/-/g, '_')}`;
  if (target.kind === 'step') return 'end_node';
  const reference = target.stepId ? `${target.flowId}.${target.stepId}` : target.flowId;
  let node = otherFlows.get(reference);
  if (!node) {
    node = `flow${otherFlows.size}_${reference.replace(/[-.]/g, '_')}`;
    otherFlows.set(reference, node);
  }
  return node;
}

/** `["name<br/>first words…"]`; steps that wait for an answer are drawn rounded. */
function stepShape(stepId: string, step: StepDefinition, locale: string): string {
  const firstText = step.ask ?? (Array.isArray(step.say) ? step.say[0] : step.say);
  const preview = firstText
    ? previewWords(textInLocale(firstText, locale))
    : step.action
      ? `⚙ ${step.action}`
      : '';
  const label = preview ? `${escapeLabel(stepId)}<br/>${escapeLabel(preview)}` : escapeLabel(stepId);
  return step.ask || step.buttons ? `("${label}")` : `["${label}"]`;
}

function previewWords(text: string): string {
  const words = text.replace(/\s+/g, ' ').trim().split(' ');
  return words.length > PREVIEW_WORDS ? `${words.slice(0, PREVIEW_WORDS).join(' ')} …` : words.join(' ');
}

function shorten(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Mermaid labels in double quotes: quotes and markup characters become entities. */
function escapeLabel(text: string): string {
  return text
    .replace(/&/g, '#amp;')
    .replace(/"/g, '#quot;')
    .replace(/</g, '#lt;')
    .replace(/>/g, '#gt;')
    .replace(/\|/g, '#124;');
}
