/**
 * Prints a flow's graph (graph.ts) as a Mermaid `flowchart TD` for `plausch flows graph` and the docs:
 * steps that wait for an answer are drawn rounded, jumps into other flows as subroutine boxes, and the
 * end as a circle. The console's workbench draws the same graph with its own layout.
 */
import type { ActionRegistry } from '../engine/actions.js';
import { buildFlowGraph, type FlowGraph, type GraphNode } from './graph.js';
import type { FlowSet } from './schema.js';

export class UnknownFlowError extends Error {
  constructor(
    readonly flowId: string,
    known: readonly string[],
  ) {
    super(`no flow "${flowId}"; known flows: ${known.join(', ') || 'none'}`);
    this.name = 'UnknownFlowError';
  }
}

const MAX_EDGE_LABEL = 60;

export function flowToMermaid(flowSet: FlowSet, flowId: string, actions?: ActionRegistry): string {
  const flow = flowSet.flows.get(flowId);
  if (!flow) throw new UnknownFlowError(flowId, [...flowSet.flows.keys()].sort());
  const graph = buildFlowGraph({
    definition: flow.definition,
    defaultLocale: flowSet.settings.default_locale,
    ...(actions ? { actions } : {}),
  });
  return graphToMermaid(graph);
}

export function graphToMermaid(graph: FlowGraph): string {
  const lines = ['flowchart TD'];
  const steps = graph.nodes.filter((node) => node.kind === 'step');
  const flows = graph.nodes.filter((node) => node.kind === 'flow');
  lines.push(`  flow_start((("${escapeLabel(graph.flowId)}")))`);
  for (const node of steps) lines.push(`  ${node.id}${stepShape(node)}`);
  for (const edge of graph.edges) {
    const label = edge.label ? `|"${escapeLabel(shorten(edge.label, MAX_EDGE_LABEL))}"|` : '';
    lines.push(`  ${edge.from} -->${label} ${edge.to}`);
  }
  for (const node of flows) lines.push(`  ${node.id}[["→ ${escapeLabel(node.name)}"]]`);
  if (graph.nodes.some((node) => node.kind === 'end')) lines.push('  end_node(("end"))');
  lines.push('  classDef flowJump fill:#f4ecdf,stroke:#7a5230;');
  if (flows.length > 0) lines.push(`  class ${flows.map((node) => node.id).join(',')} flowJump;`);
  return `${lines.join('\n')}\n`;
}

/** `["name<br/>first words…"]`; steps that wait for an answer are drawn rounded. */
function stepShape(node: GraphNode): string {
  const label = node.preview
    ? `${escapeLabel(node.name)}<br/>${escapeLabel(node.preview)}`
    : escapeLabel(node.name);
  return node.waits ? `("${label}")` : `["${label}"]`;
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
