import { describe, expect, it } from 'vitest';
import { buildFlowGraph } from '../../src/flows/graph.js';
import { parseFlowFile } from '../../src/flows/loader.js';

const FLOW = `id: shop
steps:
  menu:
    ask: Was darf es sein?
    buttons:
      - { label: Bohnen, goto: beans }
      - { label: Newsletter, goto_flow: newsletter }
      - { label: Kaputt, goto: nowhere }
  beans:
    say: Unsere Bohnen
    next: menu
  orphan:
    say: Keiner kommt hierher
`;

function graph() {
  const parsed = parseFlowFile(FLOW, 'shop.yaml');
  const flow = parsed.flow ?? parsed.repaired;
  if (!flow) throw new Error('the flow must parse');
  return buildFlowGraph({
    definition: flow.flow.definition,
    source: flow.source,
    defaultLocale: 'de',
    knownSteps: new Map([['shop', ['menu', 'beans', 'orphan']]]),
    unreachable: new Set(['orphan']),
  });
}

describe('buildFlowGraph', () => {
  it('knows the lines each step spans, so the editor can highlight them', () => {
    const nodes = new Map(graph().nodes.map((node) => [node.stepId ?? node.id, node]));
    expect(nodes.get('menu')?.lines).toEqual({ from: 3, to: 8 });
    expect(nodes.get('beans')?.lines).toEqual({ from: 9, to: 11 });
    expect(nodes.get('orphan')?.lines).toEqual({ from: 12, to: 13 });
    expect(nodes.get('menu')).toMatchObject({ waits: true, preview: 'Was darf es sein?' });
  });

  it('marks unreachable steps and broken targets, and keeps the line of each edge', () => {
    const { nodes, edges } = graph();
    expect(nodes.find((node) => node.stepId === 'orphan')?.unreachable).toBe(true);
    expect(nodes.find((node) => node.id === 'missing_nowhere')).toMatchObject({
      kind: 'missing',
      broken: true,
    });
    // newsletter is not in the known set: the jump is broken.
    expect(nodes.find((node) => node.kind === 'flow')).toMatchObject({ name: 'newsletter', broken: true });
    const toBeans = edges.find((edge) => edge.label === 'Bohnen');
    expect(toBeans).toMatchObject({ from: 'step0_menu', to: 'step1_beans', line: 6 });
    expect(edges.find((edge) => edge.label === 'Kaputt')).toMatchObject({ broken: true, line: 8 });
    expect(edges.find((edge) => edge.from === 'step1_beans')).toMatchObject({ to: 'step0_menu', line: 11 });
  });
});
