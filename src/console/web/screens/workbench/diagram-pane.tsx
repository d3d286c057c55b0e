/** The diagram pane: the flow's diagram, or why there is none. */
import { Diagram, type FlowGraph, type GraphNode } from './diagram.js';
import type { T } from './types.js';

export function DiagramPane(props: {
  t: T;
  graph: FlowGraph | null;
  selected: string | undefined;
  current: string | undefined;
  onSelect: (node: GraphNode) => void;
}) {
  return (
    <div class="wb-diagram-pane" data-testid="wb-diagram">
      {props.graph ? (
        <Diagram
          graph={props.graph}
          selected={props.selected}
          current={props.current}
          onSelect={props.onSelect}
        />
      ) : (
        <p class="wb-hint">{props.t('noDiagram')}</p>
      )}
    </div>
  );
}
