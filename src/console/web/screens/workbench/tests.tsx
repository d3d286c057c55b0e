/** The tests tab: runs the flow's or all conversation tests against the draft; a failure shows its transcript. */
import { useState } from 'preact/hooks';
import type { ScreenContext } from '../../shared/context.js';
import type { DraftsOf, T, TestResult } from './types.js';

export function Tests(props: { ctx: ScreenContext; t: T; drafts: DraftsOf; flowId: string | undefined }) {
  const { ctx, t } = props;
  const [results, setResults] = useState<TestResult[] | null>(null);
  const [running, setRunning] = useState(false);
  async function run(file?: string) {
    setRunning(true);
    try {
      const result = await ctx.api<{ results: TestResult[] }>('POST', '/workbench/tests/run', {
        drafts: props.drafts(),
        ...(file ? { file } : {}),
      });
      setResults(result.results);
    } catch (error) {
      ctx.toast((error as Error).message, 'error');
    } finally {
      setRunning(false);
    }
  }
  return (
    <div class="wb-tests">
      {props.flowId ? (
        <button type="button" disabled={running} onClick={() => void run(`tests/${props.flowId}.test.yaml`)}>
          {t('runFlowTests', { flow: props.flowId })}
        </button>
      ) : null}{' '}
      <button type="button" disabled={running} onClick={() => void run()}>
        {t('runAllTests')}
      </button>
      {results ? (
        <ul>
          {results.map((result, index) => (
            <li key={index} class={result.passed ? 'passed' : 'failed'}>
              {result.passed ? '✓' : '✗'} {result.name}
              {!result.passed ? (
                <>
                  <p>{result.failure}</p>
                  <pre>{result.transcript.join('\n')}</pre>
                </>
              ) : null}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
