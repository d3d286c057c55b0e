/**
 * One flow as a graph: a node per step (its name, the first words it says or asks, the action it calls,
 * the lines it spans in its file), edges for next/goto, action outcomes, branch cases and buttons, a node
 * per jump into another flow, and an end node. `plausch flows graph` prints it as Mermaid (mermaid.ts);
 * the console's workbench lays out the very same graph in the browser. Works on drafts too: targets that
 * do not exist are kept as `broken` nodes, and steps nobody reaches can be marked, so a half-finished
 * flow still draws.
 */
import type { ActionRegistry } from '../engine/actions.js';
import type { FlowDefinition, StepDefinition } from './schema.js';
import { stepTransitions, type Transition, textInLocale } from './transitions.js';
import { nodeLineRange, type YamlSource } from './yaml-source.js';

export type GraphNodeKind = 'start' | 'step' | 'flow' | 'end' | 'missing';

export interface LineRange {
  /** 1-based, inclusive. */
  from: number;
  to: number;
}

export interface GraphNode {
  /** Stable within one graph, safe as a Mermaid id (`step2_confirm`, `flow0_newsletter`, `end_node`). */
  id: string;
  kind: GraphNodeKind;
  /** The step's name, the referenced `flow.step`, or the flow id for the start node. */
  name: string;
  /** The first words it says or asks, or `⚙ action`. */
  preview?: string;
  stepId?: string;
  /** The step waits for the customer (asks, or offers buttons). */
  waits?: boolean;
  action?: string;
  /** Where the step is written; absent without a source. */
  lines?: LineRange;
  /** Nothing leads to this step (from the validator's reachability rules). */
  unreachable?: boolean;
  /** A jump to a step or flow that does not exist. */
  broken?: boolean;
  /** For kind `flow`: where the jump leads. */
  target?: { flowId: string; stepId?: string };
}

export interface GraphEdge {
  from: string;
  to: string;
  via: Transition['via'] | 'start';
  label?: string;
  /** The line of the `goto:`/`next:`/`on:` that makes this edge, when known. */
  line?: number;
  broken?: boolean;
}

export interface FlowGraph {
  flowId: string;
  nodes: GraphNode[];
  edges: GraphEdge[];
}

export interface FlowGraphInput {
  definition: FlowDefinition;
  source?: YamlSource;
  defaultLocale: string;
  actions?: ActionRegistry;
  /** Steps of every flow of the set by flow id, to tell working jumps from broken ones. */
  knownSteps?: ReadonlyMap<string, readonly string[]>;
  /** Steps the validator found unreachable. */
  unreachable?: ReadonlySet<string>;
}

const PREVIEW_WORDS = 6;

export function buildFlowGraph(input: FlowGraphInput): FlowGraph {
  const { definition, source, defaultLocale: locale, actions } = input;
  const flowId = definition.id;
  const steps = definition.steps;
  const stepIds = Object.keys(steps);
  const nodeIds = new Map(stepIds.map((stepId, index) => [stepId, `step${index}_${safeId(stepId)}`]));
  const startStep = definition.start ?? stepIds[0];

  const nodes: GraphNode[] = [{ id: 'flow_start', kind: 'start', name: flowId }];
  for (const stepId of stepIds) {
    const step = steps[stepId] as StepDefinition;
    const preview = previewOf(step, locale);
    const lines = source ? nodeLineRange(source, ['steps', stepId]) : undefined;
    nodes.push({
      id: nodeIds.get(stepId) as string,
      kind: 'step',
      name: stepId,
      stepId,
      ...(preview ? { preview } : {}),
      ...(step.ask || step.buttons ? { waits: true } : {}),
      ...(step.action ? { action: step.action } : {}),
      ...(lines ? { lines } : {}),
      ...(input.unreachable?.has(stepId) ? { unreachable: true } : {}),
    });
  }
  const edges: GraphEdge[] = [];
  if (startStep) {
    const to = nodeIds.get(startStep);
    if (to) edges.push({ from: 'flow_start', to, via: 'start' });
  }

  const extraNodes = new Map<string, GraphNode>();
  let usesEnd = false;
  for (const stepId of stepIds) {
    const step = steps[stepId] as StepDefinition;
    for (const transition of stepTransitions(step, locale, actions)) {
      const target = targetNode(flowId, transition, nodeIds, extraNodes, input.knownSteps);
      if (target.id === 'end_node') usesEnd = true;
      const label = transition.label ?? (transition.via === 'otherwise' ? 'otherwise' : undefined);
      const line =
        source && transition.path.length > 0
          ? nodeLineRange(source, ['steps', stepId, ...transition.path])?.from
          : undefined;
      edges.push({
        from: nodeIds.get(stepId) as string,
        to: target.id,
        via: transition.via,
        ...(label ? { label } : {}),
        ...(line ? { line } : {}),
        ...(target.broken ? { broken: true } : {}),
      });
    }
  }
  // Missing steps are listed where Mermaid would first meet them; jumps into other flows after all steps.
  const missing = [...extraNodes.values()].filter((node) => node.kind === 'missing');
  const flows = [...extraNodes.values()].filter((node) => node.kind === 'flow');
  nodes.push(...flows, ...missing);
  if (usesEnd) nodes.push({ id: 'end_node', kind: 'end', name: 'end' });
  return { flowId, nodes, edges };
}

function targetNode(
  flowId: string,
  transition: Transition,
  nodeIds: Map<string, string>,
  extraNodes: Map<string, GraphNode>,
  knownSteps: FlowGraphInput['knownSteps'],
): { id: string; broken?: boolean } {
  const target = transition.target;
  if (target.kind === 'end') return { id: 'end_node' };
  // A jump payload into the same flow is drawn as an ordinary edge.
  const stepId =
    target.kind === 'step' ? target.stepId : target.flowId === flowId ? target.stepId : undefined;
  if (stepId !== undefined) {
    const known = nodeIds.get(stepId);
    if (known) return { id: known };
    const id = `missing_${safeId(stepId)}`;
    if (!extraNodes.has(id)) extraNodes.set(id, { id, kind: 'missing', name: stepId, broken: true });
    return { id, broken: true };
  }
  if (target.kind === 'step') return { id: 'end_node' };
  const reference = target.stepId ? `${target.flowId}.${target.stepId}` : target.flowId;
  const existing = [...extraNodes.values()].find((node) => node.kind === 'flow' && node.name === reference);
  if (existing) return { id: existing.id, ...(existing.broken ? { broken: true } : {}) };
  const flowCount = [...extraNodes.values()].filter((node) => node.kind === 'flow').length;
  const otherSteps = knownSteps?.get(target.flowId);
  const broken =
    knownSteps !== undefined &&
    (otherSteps === undefined || (target.stepId !== undefined && !otherSteps.includes(target.stepId)));
  const node: GraphNode = {
    id: `flow${flowCount}_${reference.replace(/[-.]/g, '_')}`,
    kind: 'flow',
    name: reference,
    target: target.stepId ? { flowId: target.flowId, stepId: target.stepId } : { flowId: target.flowId },
    ...(broken ? { broken: true } : {}),
  };
  extraNodes.set(node.id, node);
  return { id: node.id, ...(broken ? { broken: true } : {}) };
}

function previewOf(step: StepDefinition, locale: string): string | undefined {
  const firstText = step.ask ?? (Array.isArray(step.say) ? step.say[0] : step.say);
  if (firstText) return previewWords(textInLocale(firstText, locale)) || undefined;
  return step.action ? `⚙ ${step.action}` : undefined;
}

function previewWords(text: string): string {
  const words = text.replace(/\s+/g, ' ').trim().split(' ');
  return words.length > PREVIEW_WORDS ? `${words.slice(0, PREVIEW_WORDS).join(' ')} …` : words.join(' ');
}

function safeId(stepId: string): string {
  return stepId.replace(/-/g, '_');
}
