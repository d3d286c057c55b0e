/**
 * "Mit WhatsApp Manager abgleichen": the template file against Meta's list — approved, pending, unknown,
 * a body that differs, approved but not in the file (with an entry to copy into flows/whatsapp/templates.yaml).
 */
import { useState } from 'preact/hooks';
import type { ScreenContext } from '../../shared/context.js';
import type { T } from './texts.js';

interface CheckRow {
  name: string;
  language: string;
  inFile: boolean;
  status: string | null;
  bodyMatches: boolean | null;
  problem: 'unknown-at-meta' | 'not-approved' | 'body-differs' | 'missing-in-file' | null;
}

const PROBLEM_TEXT = {
  'unknown-at-meta': 'problemUnknown',
  'not-approved': 'problemNotApproved',
  'body-differs': 'problemBody',
  'missing-in-file': 'problemMissing',
} as const;

export function TemplateCheck(props: { ctx: ScreenContext; t: T }) {
  const { ctx, t } = props;
  const [state, setState] = useState<
    { rows: CheckRow[]; suggestedYaml: string | null } | { error: string } | null
  >(null);
  const [busy, setBusy] = useState(false);
  const run = async () => {
    setBusy(true);
    try {
      setState(await ctx.api('GET', '/marketing/broadcasts/templates/check'));
    } catch (error) {
      setState({ error: (error as Error).message });
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="bc-template-check">
      <button type="button" class="bc-secondary" disabled={busy} onClick={run}>
        {t('checkTemplates')}
      </button>
      {state && 'error' in state ? <p class="bc-muted">{state.error}</p> : null}
      {state && 'rows' in state ? (
        <>
          <table class="bc-table" data-testid="template-check">
            <thead>
              <tr>
                <th scope="col">{t('template')}</th>
                <th scope="col">{t('checkInFile')}</th>
                <th scope="col">{t('checkAtMeta')}</th>
                <th scope="col">{t('checkAdvice')}</th>
              </tr>
            </thead>
            <tbody>
              {state.rows.map((r) => (
                <tr key={`${r.name}/${r.language}`}>
                  <td>
                    {r.name} ({r.language})
                  </td>
                  <td>{r.inFile ? '✓' : '–'}</td>
                  <td class={r.status === 'APPROVED' ? '' : 'bc-warn'}>{r.status ?? t('checkUnknown')}</td>
                  <td class={r.problem ? 'bc-warn' : ''}>
                    {r.problem ? t(PROBLEM_TEXT[r.problem], { status: r.status ?? '' }) : t('checkOk')}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {state.suggestedYaml ? (
            <>
              <p class="bc-muted">{t('checkSuggestion')}</p>
              <pre class="bc-yaml">{state.suggestedYaml}</pre>
            </>
          ) : null}
        </>
      ) : null}
    </div>
  );
}
