/**
 * The simulator tab: chat with the draft flow set as a chosen channel and locale, as a new or returning
 * contact; each bot message drawn as that channel's renderer shapes it; the current step reported to the
 * diagram; the session can be recorded as a conversation test. Nothing is sent to anyone.
 */
import { useState } from 'preact/hooks';
import type { ScreenContext } from '../../shared/context.js';
import type { DraftsOf, T, Turn } from './types.js';

type ChatLine = { who: 'customer'; text: string } | { who: 'bot'; message: Turn['messages'][number] };

const CHANNELS = ['telegram', 'whatsapp-cloud', 'whatsapp-web', 'messenger-meta', 'webchat'] as const;

export function Simulator(props: {
  ctx: ScreenContext;
  t: T;
  locales: string[];
  drafts: DraftsOf;
  /** Where the conversation is now: the diagram highlights it. */
  onStep: (at: { flowId: string; stepId: string } | undefined) => void;
  onRecorded: () => void;
}) {
  const { ctx, t } = props;
  const [channel, setChannel] = useState<(typeof CHANNELS)[number]>('telegram');
  const [locale, setLocale] = useState(props.locales[0] ?? 'de');
  const [returning, setReturning] = useState(false);
  const [session, setSession] = useState<string | null>(null);
  const [lines, setLines] = useState<ChatLine[]>([]);
  const [turn, setTurn] = useState<Turn | null>(null);
  const [input, setInput] = useState('');
  const [testName, setTestName] = useState('');

  async function start() {
    try {
      const result = await ctx.api<{ sessionId: string; turn: Turn }>('POST', '/workbench/simulator', {
        drafts: props.drafts(),
        channel,
        locale,
        returning,
      });
      setSession(result.sessionId);
      setLines([]);
      setTurn(result.turn);
      await act(result.sessionId, { kind: 'start' }, '/start');
    } catch (error) {
      ctx.toast((error as Error).message, 'error');
    }
  }

  async function act(id: string, action: Record<string, unknown>, shown: string) {
    const result = await ctx.api<Turn>('POST', `/workbench/simulator/${id}/act`, { action });
    if (result.problem) ctx.toast(result.problem, 'error');
    setLines((previous) => [
      ...previous,
      { who: 'customer', text: shown },
      ...result.messages.map((message) => ({ who: 'bot' as const, message })),
    ]);
    setTurn(result);
    const { flowId, stepId } = result.state;
    props.onStep(flowId && stepId ? { flowId, stepId } : undefined);
  }

  async function record() {
    if (!session) return;
    try {
      const result = await ctx.api<{ path: string }>('POST', `/workbench/simulator/${session}/record`, {
        name: testName,
      });
      ctx.toast(t('recorded', { path: result.path }));
      props.onRecorded();
    } catch (error) {
      ctx.toast((error as Error).message, 'error');
    }
  }

  return (
    <div class="wb-simulator" data-testid="wb-simulator">
      <div class="wb-sim-controls">
        <select
          value={channel}
          onChange={(event) => setChannel((event.target as HTMLSelectElement).value as typeof channel)}
        >
          {CHANNELS.map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
        </select>
        <select value={locale} onChange={(event) => setLocale((event.target as HTMLSelectElement).value)}>
          {props.locales.map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
        </select>
        <label>
          <input
            type="checkbox"
            checked={returning}
            onChange={(event) => setReturning((event.target as HTMLInputElement).checked)}
          />{' '}
          {t('returning')}
        </label>
        <button type="button" data-testid="wb-sim-start" onClick={() => void start()}>
          {t('simStart')}
        </button>
      </div>
      <div class="wb-sim-body">
        <ol class={`wb-chat ${channel}`} data-testid="wb-chat">
          {lines.map((line, index) =>
            line.who === 'customer' ? (
              <li key={index} class="customer">
                {line.text}
              </li>
            ) : (
              <li key={index} class="bot">
                {line.message.channel.refused ? <p class="refused">{line.message.channel.refused}</p> : null}
                {line.message.channel.bubbles.map((bubble, b) => (
                  <div key={b} class={`bubble ${bubble.style}`}>
                    {bubble.text ? <p>{bubble.text}</p> : null}
                    {bubble.listButton ? <p class="list-button">☰ {bubble.listButton}</p> : null}
                    {bubble.buttons?.map((row, r) => (
                      <div key={r} class="row">
                        {row.map((label) => {
                          const original =
                            line.message.buttons.find((candidate) =>
                              candidate.startsWith(label.replace(/…$/, '')),
                            ) ?? label;
                          return (
                            <button
                              key={label}
                              type="button"
                              disabled={!session}
                              onClick={() =>
                                session &&
                                void act(session, { kind: 'press', label: original }, `[${original}]`)
                              }
                            >
                              {label}
                            </button>
                          );
                        })}
                      </div>
                    ))}
                    {bubble.links?.map((link) => (
                      <p key={link.url} class="link">
                        🔗 {link.label}
                      </p>
                    ))}
                  </div>
                ))}
              </li>
            ),
          )}
        </ol>
        <aside class="wb-vars">
          <h3>{t('state')}</h3>
          <p data-testid="wb-sim-step">
            {turn?.state.flowId ? `${turn.state.flowId}.${turn.state.stepId ?? ''}` : '—'}
          </p>
          <h3>{t('vars')}</h3>
          <pre>{JSON.stringify(turn?.vars ?? {}, null, 1)}</pre>
        </aside>
      </div>
      <form
        class="wb-sim-input"
        onSubmit={(event) => {
          event.preventDefault();
          if (!session || !input.trim()) return;
          const text = input;
          setInput('');
          void act(session, { kind: 'text', text }, text);
        }}
      >
        <input
          value={input}
          disabled={!session}
          placeholder={t('typeHere')}
          onInput={(event) => setInput((event.target as HTMLInputElement).value)}
        />
        <button type="submit" disabled={!session}>
          {t('send')}
        </button>
      </form>
      <div class="wb-record">
        <input
          value={testName}
          placeholder={t('testName')}
          onInput={(event) => setTestName((event.target as HTMLInputElement).value)}
        />
        <button
          type="button"
          data-testid="wb-record"
          disabled={!session || testName.trim().length < 3}
          onClick={() => void record()}
        >
          {t('record')}
        </button>
      </div>
    </div>
  );
}
