/**
 * The knowledge-base tab (faq/*.yaml only): an unanswered question from the log becomes a wording of an entry
 * in two clicks (saved as a version), and `faq eval` runs from here.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { ScreenContext } from '../../shared/context.js';
import type { T } from './types.js';

export function FaqTools(props: {
  ctx: ScreenContext;
  t: T;
  path: string;
  text: string;
  onChanged: () => void;
}) {
  const { ctx, t } = props;
  const [questions, setQuestions] = useState<Array<{ text: string; locale: string; asks: number }>>([]);
  const [chosen, setChosen] = useState<{ text: string; locale: string } | null>(null);
  const [evalOutput, setEvalOutput] = useState<string[] | null>(null);
  const entries = useMemo(
    () => [...props.text.matchAll(/^\s*- id: ([\w-]+)/gm)].map((match) => match[1] as string),
    [props.text],
  );
  useEffect(() => {
    ctx
      .api<{ questions: Array<{ text: string; locale: string; asks: number }> }>(
        'GET',
        '/workbench/faq/unanswered',
      )
      .then((result) => setQuestions(result.questions))
      .catch(() => setQuestions([]));
  }, []);
  async function add(entryId: string) {
    if (!chosen) return;
    try {
      await ctx.api('POST', '/workbench/faq/paraphrase', {
        path: props.path,
        entryId,
        locale: chosen.locale,
        question: chosen.text,
      });
      ctx.toast(t('paraphraseAdded', { entry: entryId }));
      setChosen(null);
      props.onChanged();
    } catch (error) {
      ctx.toast((error as Error).message, 'error');
    }
  }
  return (
    <div class="wb-faq">
      <h3>{t('unanswered')}</h3>
      <ul>
        {questions.map((question) => (
          <li key={`${question.locale}:${question.text}`}>
            <button
              type="button"
              class={chosen?.text === question.text ? 'active' : ''}
              onClick={() => setChosen(question)}
            >
              {question.text} ({question.locale}, {question.asks}×)
            </button>
          </li>
        ))}
      </ul>
      {chosen ? (
        <p>
          {t('addTo')}{' '}
          {entries.map((entry) => (
            <button key={entry} type="button" onClick={() => void add(entry)}>
              {entry}
            </button>
          ))}
        </p>
      ) : null}
      <button
        type="button"
        onClick={() =>
          void ctx
            .api<{ output: string[] }>('POST', '/workbench/faq/eval')
            .then((result) => setEvalOutput(result.output))
            .catch((error: Error) => ctx.toast(error.message, 'error'))
        }
      >
        {t('faqEval')}
      </button>
      {evalOutput ? <pre>{evalOutput.join('\n')}</pre> : null}
    </div>
  );
}
