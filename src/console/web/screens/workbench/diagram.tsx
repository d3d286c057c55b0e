/**
 * The flow as a diagram: the server's graph (the one `plausch flows graph` prints) laid out with dagre and
 * drawn as SVG. Unreachable steps are dashed, broken targets red, steps with an error in the editor marked,
 * the simulator's current step and the step under the editor's cursor highlighted — and scrolled into view
 * when they are outside it. The diagram is scaled to fit its pane (down to a readable size, then it
 * scrolls); −/+ zoom. Clicking a step selects it; clicking a jump into another flow follows it.
 */
import dagre from '@dagrejs/dagre';
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';

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
  /** For a jump into another flow: where it leads. */
  target?: { flowId: string; stepId?: string };
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
  /** The node id selected in the diagram or under the editor's cursor. */
  selected?: string | undefined;
  /** The node id the simulator's conversation is at. */
  current?: string | undefined;
  /** Lines of this file with an error: the steps written there are marked. */
  errorLines?: readonly number[];
  /** Bumped to bring the focused step into view again, even when it did not change (a problem clicked). */
  reveal?: number;
  onSelect: (node: GraphNode) => void;
  labels: { fit: string; zoomIn: string; zoomOut: string; follow: (flow: string) => string };
}

const WIDTH = 170;
/** Jumps into other flows are narrower: a menu fans out into several side by side. */
const FLOW_WIDTH = 150;
/** Fitting never shrinks below this: smaller text cannot be read, the pane scrolls instead. */
const MIN_FIT = 0.5;
const ZOOM_STEP = 1.25;

export function Diagram({ graph, selected, current, errorLines = [], reveal = 0, onSelect, labels }: Props) {
  const scroller = useRef<HTMLDivElement>(null);
  const [room, setRoom] = useState<{ width: number; height: number } | null>(null);
  const [zoom, setZoom] = useState<'fit' | number>('fit');

  const layout = useMemo(() => {
    const g = new dagre.graphlib.Graph({ multigraph: true });
    g.setGraph({ rankdir: 'TB', nodesep: 20, ranksep: 45, marginx: 10, marginy: 10 });
    g.setDefaultEdgeLabel(() => ({}));
    for (const node of graph.nodes) {
      const height = node.kind === 'step' ? (node.preview ? 48 : 32) : 30;
      g.setNode(node.id, {
        width: node.kind === 'step' ? WIDTH : node.kind === 'flow' ? FLOW_WIDTH : 70,
        height,
      });
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

  // The room the pane offers, kept current as the window (or the split) changes size.
  useLayoutEffect(() => {
    const element = scroller.current;
    if (!element) return;
    const measure = () => setRoom({ width: element.clientWidth, height: element.clientHeight });
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  const fitScale = room
    ? Math.max(MIN_FIT, Math.min(1, (room.width - 4) / layout.width, (room.height - 4) / layout.height))
    : 1;
  const scale = zoom === 'fit' ? fitScale : zoom;

  // The step in question comes into view: the simulator's step first, else the selected one.
  const focus = current ?? selected;
  useEffect(() => {
    const element = scroller.current;
    const data = focus ? (layout.g.node(focus) as { x: number; y: number } | undefined) : undefined;
    if (!element || !data) return;
    const x = data.x * scale;
    const y = data.y * scale;
    const margin = 40;
    const visible =
      x - margin >= element.scrollLeft &&
      x + margin <= element.scrollLeft + element.clientWidth &&
      y - margin >= element.scrollTop &&
      y + margin <= element.scrollTop + element.clientHeight;
    if (!visible) element.scrollTo({ left: x - element.clientWidth / 2, top: y - element.clientHeight / 2 });
  }, [focus, scale, layout, reveal]);

  const errorNodes = new Set(
    graph.nodes
      .filter(
        (node) => node.lines && errorLines.some((line) => line >= node.lines!.from && line <= node.lines!.to),
      )
      .map((node) => node.id),
  );

  return (
    <div class="wb-diagram-frame">
      <div class="wb-diagram-tools">
        <button
          type="button"
          title={labels.zoomOut}
          aria-label={labels.zoomOut}
          onClick={() => setZoom(Math.max(0.3, scale / ZOOM_STEP))}
        >
          −
        </button>
        <button
          type="button"
          class={zoom === 'fit' ? 'active' : ''}
          data-testid="wb-fit"
          onClick={() => setZoom('fit')}
        >
          {labels.fit}
        </button>
        <button
          type="button"
          title={labels.zoomIn}
          aria-label={labels.zoomIn}
          onClick={() => setZoom(Math.min(2, scale * ZOOM_STEP))}
        >
          +
        </button>
        <span class="wb-zoom" data-testid="wb-zoom">
          {Math.round(scale * 100)} %
        </span>
      </div>
      <div class="wb-diagram-scroll" ref={scroller} data-testid="wb-diagram-scroll">
        <svg
          class="wb-diagram"
          width={Math.round(layout.width * scale)}
          height={Math.round(layout.height * scale)}
          viewBox={`0 0 ${layout.width} ${layout.height}`}
          data-scale={scale.toFixed(3)}
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
              current === node.id ? 'current' : '',
              errorNodes.has(node.id) ? 'has-error' : '',
              node.kind === 'flow' && node.target && !node.broken ? 'follows' : '',
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
                data-target={node.target ? node.target.flowId : undefined}
                role="button"
                tabIndex={0}
                aria-label={node.kind === 'flow' && node.target ? labels.follow(node.name) : node.name}
                onClick={() => onSelect(node)}
                onKeyDown={(event) => {
                  if (event.key === 'Enter' || event.key === ' ') onSelect(node);
                }}
              >
                <title>{node.kind === 'flow' && node.target ? labels.follow(node.name) : node.name}</title>
                <rect
                  width={data.width}
                  height={data.height}
                  rx={node.waits || node.kind !== 'step' ? 14 : 3}
                />
                <text
                  x={data.width / 2}
                  y={node.preview ? 19 : data.height / 2 + 4}
                  text-anchor="middle"
                  class="name"
                >
                  {node.kind === 'flow'
                    ? `→ ${node.name} ↗`
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
      </div>
    </div>
  );
}

function short(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
