/** The diagram pane: the flow's diagram, or why there is none. */
import { Diagram, type FlowGraph, type GraphNode } from './diagram.js';
import type { T } from './types.js';

export function DiagramPane(props: {
  t: T;
  graph: FlowGraph | null;
  selected: string | undefined;
  current: string | undefined;
  errorLines: readonly number[];
  reveal: number;
  /** A line above the diagram, e.g. that the simulator's conversation left this flow. */
  note?: string | undefined;
  onSelect: (node: GraphNode) => void;
}) {
  const { t } = props;
  return (
    <div class="wb-diagram-pane" data-testid="wb-diagram">
      {props.note ? <p class="wb-diagram-note">{props.note}</p> : null}
      {props.graph ? (
        <Diagram
          graph={props.graph}
          selected={props.selected}
          current={props.current}
          errorLines={props.errorLines}
          reveal={props.reveal}
          onSelect={props.onSelect}
          labels={{
            fit: t('fit'),
            zoomIn: t('zoomIn'),
            zoomOut: t('zoomOut'),
            follow: (flow) => t('followFlow', { flow }),
          }}
        />
      ) : (
        <p class="wb-hint">{t('noDiagram')}</p>
      )}
    </div>
  );
}
