/**
 * The flow as a diagram: the server's graph (the one `plausch flows graph` prints) laid out with dagre and
 * drawn as SVG. Unreachable steps are dashed, broken targets red, the simulator's current step and the
 * step under the editor's cursor highlighted; clicking a step selects it.
 */
import dagre from '@dagrejs/dagre';
import { useMemo } from 'preact/hooks';

export interface GraphNode {
  id: string;
  kind: 'start' | 'step' | 'flow' | 'end' | 'missing';
  name: string;
  preview?: string;
  stepId?: string;
  waits?: boolean;
  lines?: { from: number; to: number };
  unreachable?: boolean;
  broken?: boolean;
}

export interface GraphEdge {
  from: string;
  to: string;
  label?: string;
  broken?: boolean;
}

export interface FlowGraph {
  flowId: string;
  nodes: GraphNode[];
  edges: GraphEdge[];
}

interface Props {
  graph: FlowGraph;
  selected?: string | undefined;
  current?: string | undefined;
  onSelect: (node: GraphNode) => void;
}

const WIDTH = 180;

export function Diagram({ graph, selected, current, onSelect }: Props) {
  const layout = useMemo(() => {
    const g = new dagre.graphlib.Graph({ multigraph: true });
    g.setGraph({ rankdir: 'TB', nodesep: 30, ranksep: 45, marginx: 10, marginy: 10 });
    g.setDefaultEdgeLabel(() => ({}));
    for (const node of graph.nodes) {
      const height = node.kind === 'step' ? (node.preview ? 48 : 32) : 30;
      g.setNode(node.id, { width: node.kind === 'step' || node.kind === 'flow' ? WIDTH : 70, height });
    }
    graph.edges.forEach((edge, index) => {
      g.setEdge(
        edge.from,
        edge.to,
        { label: edge.label ?? '', width: edge.label ? 80 : 0, height: edge.label ? 14 : 0 },
        `e${index}`,
      );
    });
    dagre.layout(g);
    const size = g.graph() as { width?: number; height?: number };
    return { g, width: size.width ?? 200, height: size.height ?? 200 };
  }, [graph]);

  return (
    <svg
      class="wb-diagram"
      width={layout.width}
      height={layout.height}
      viewBox={`0 0 ${layout.width} ${layout.height}`}
    >
      <title>{graph.flowId}</title>
      <defs>
        <marker
          id="wb-arrow"
          viewBox="0 0 10 10"
          refX="9"
          refY="5"
          markerWidth="7"
          markerHeight="7"
          orient="auto"
        >
          <path d="M0,0 L10,5 L0,10 z" class="wb-arrowhead" />
        </marker>
      </defs>
      {graph.edges.map((edge, index) => {
        const data = layout.g.edge({ v: edge.from, w: edge.to, name: `e${index}` }) as
          | { points: Array<{ x: number; y: number }>; x?: number; y?: number }
          | undefined;
        if (!data) return null;
        const d = data.points.map((p, i) => `${i === 0 ? 'M' : 'L'}${p.x},${p.y}`).join(' ');
        return (
          <g key={`e${index}`} class={`wb-edge${edge.broken ? ' broken' : ''}`}>
            <path d={d} marker-end="url(#wb-arrow)" />
            {edge.label && data.x !== undefined && data.y !== undefined ? (
              <text x={data.x} y={data.y} text-anchor="middle">
                {short(edge.label, 22)}
              </text>
            ) : null}
          </g>
        );
      })}
      {graph.nodes.map((node) => {
        const data = layout.g.node(node.id) as
          | { x: number; y: number; width: number; height: number }
          | undefined;
        if (!data) return null;
        const classes = [
          'wb-node',
          node.kind,
          node.waits ? 'waits' : '',
          node.unreachable ? 'unreachable' : '',
          node.broken ? 'broken' : '',
          selected === node.id ? 'selected' : '',
          current !== undefined && node.stepId === current ? 'current' : '',
        ]
          .filter(Boolean)
          .join(' ');
        return (
          // biome-ignore lint/a11y/useSemanticElements: an SVG group cannot be a <button>; it gets the role instead
          <g
            key={node.id}
            class={classes}
            data-node={node.id}
            data-step={node.stepId ?? ''}
            transform={`translate(${data.x - data.width / 2},${data.y - data.height / 2})`}
            role="button"
            tabIndex={0}
            onClick={() => onSelect(node)}
            onKeyDown={(event) => {
              if (event.key === 'Enter' || event.key === ' ') onSelect(node);
            }}
          >
            <rect width={data.width} height={data.height} rx={node.waits || node.kind !== 'step' ? 14 : 3} />
            <text
              x={data.width / 2}
              y={node.preview ? 19 : data.height / 2 + 4}
              text-anchor="middle"
              class="name"
            >
              {node.kind === 'flow'
                ? `→ ${node.name}`
                : node.kind === 'missing'
                  ? `✗ ${node.name}`
                  : node.name}
            </text>
            {node.preview ? (
              <text x={data.width / 2} y={36} text-anchor="middle" class="preview">
                {short(node.preview, 28)}
              </text>
            ) : null}
          </g>
        );
      })}
    </svg>
  );
}

function short(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
