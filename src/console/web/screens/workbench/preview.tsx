/** The preview tab: what the customer reads from the selected step on, in every locale, action texts included. */
import { useEffect, useState } from 'preact/hooks';
import type { ScreenContext } from '../../shared/context.js';
import type { FlowGraph, GraphNode } from './diagram.js';
import type { DraftsOf, T, Turn } from './types.js';

export function Preview(props: {
  ctx: ScreenContext;
  t: T;
  graph: FlowGraph | null;
  node: GraphNode | undefined;
  drafts: DraftsOf;
}) {
  const { ctx, t, graph, node } = props;
  const [previews, setPreviews] = useState<Array<{ locale: string; turn: Turn }>>([]);
  useEffect(() => {
    if (!graph || !node?.stepId) return;
    ctx
      .api<{ previews: Array<{ locale: string; turn: Turn }> }>('POST', '/workbench/preview', {
        drafts: props.drafts(),
        flowId: graph.flowId,
        stepId: node.stepId,
      })
      .then((result) => setPreviews(result.previews))
      .catch((error: Error) => ctx.toast(error.message, 'error'));
  }, [graph?.flowId, node?.stepId]);
  if (!node?.stepId) return <p class="wb-hint">{t('previewPick')}</p>;
  return (
    <div class="wb-preview" data-testid="wb-preview">
      {previews.map(({ locale, turn }) => (
        <div key={locale} class="wb-preview-locale">
          <h3>{locale}</h3>
          {turn.messages.map((message, index) => (
            <div key={index} class="bubble">
              <p>{message.text}</p>
              {message.buttons.length > 0 ? (
                <p class="buttons">{message.buttons.map((label) => `[${label}]`).join(' ')}</p>
              ) : null}
            </div>
          ))}
        </div>
      ))}
    </div>
  );
}
