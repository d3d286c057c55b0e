/**
 * The flow workbench: pick a file, see the flow as a diagram beside its YAML, edit with validation as you
 * type, preview what the customer sees, try the draft in the simulator, run the conversation tests, save
 * live (refused while invalid, warned on a conflict), compare versions and roll back.
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { ScreenContext } from '../../shared/context.js';
import { defineScreen } from '../../shared/screen.js';
import { textsFor } from '../../shared/texts.js';
import { Diagram, type FlowGraph, type GraphNode } from './diagram.js';
import { type EditorHandle, type EditorProblem, YamlEditor } from './editor.js';
import { TEXTS } from './texts.js';
import './workbench.css';

interface FileSummary {
  path: string;
  kind: string;
  flowId?: string;
  errors: number;
  warnings: number;
  triggers: string[];
  lastChange?: { at: string; by: string | null };
}

interface Version {
  id: string;
  author: { name: string } | null;
  createdAt: string;
  message: string;
}

interface Bubble {
  style: string;
  text?: string;
  buttons?: string[][];
  listButton?: string;
  links?: Array<{ label: string; url: string }>;
}

interface Turn {
  messages: Array<{ text: string; buttons: string[]; channel: { bubbles: Bubble[]; refused?: string } }>;
  state: { flowId: string | null; stepId: string | null; awaiting: string | null };
  vars: Record<string, unknown>;
  problem?: string;
}

interface TestResult {
  name: string;
  passed: boolean;
  failure?: string;
  transcript: string[];
}

type ChatLine = { who: 'customer'; text: string } | { who: 'bot'; message: Turn['messages'][number] };

const CHANNELS = ['telegram', 'whatsapp-cloud', 'whatsapp-web', 'messenger-meta', 'webchat'] as const;

function Workbench({ ctx }: { ctx: ScreenContext }) {
  const t = textsFor(TEXTS, ctx.locale);
  const [files, setFiles] = useState<FileSummary[]>([]);
  const [locales, setLocales] = useState<string[]>(['de', 'en']);
  const [path, setPath] = useState<string | null>(null);
  const [opened, setOpened] = useState<{ text: string; hash: string; kind: string } | null>(null);
  const [draft, setDraft] = useState('');
  const [problems, setProblems] = useState<EditorProblem[]>([]);
  const [graph, setGraph] = useState<FlowGraph | null>(null);
  const [selected, setSelected] = useState<string | undefined>();
  const [versions, setVersions] = useState<Version[]>([]);
  const [diff, setDiff] = useState<string | null>(null);
  const [conflict, setConflict] = useState<{ by: string; diff: string | null } | null>(null);
  const [tab, setTab] = useState<'simulator' | 'preview' | 'versions' | 'tests' | 'faq'>('simulator');
  const editor = useRef<EditorHandle | null>(null);
  const graphRequest = useRef(0);

  const drafts = (): Record<string, string> =>
    path && opened && draft !== opened.text ? { [path]: draft } : {};

  async function refreshFiles() {
    const result = await ctx.api<{ files: FileSummary[]; locales: string[] }>('GET', '/workbench/files');
    setFiles(result.files);
    setLocales(result.locales);
  }

  useEffect(() => {
    void refreshFiles().catch((error: Error) => ctx.toast(error.message, 'error'));
  }, []);

  async function open(next: string) {
    const file = await ctx.api<{
      text: string;
      hash: string;
      kind: string;
      validation: { problems: EditorProblem[] };
    }>('GET', `/workbench/file?path=${encodeURIComponent(next)}`);
    setPath(next);
    setOpened(file);
    setDraft(file.text);
    setProblems(file.validation.problems);
    setSelected(undefined);
    setConflict(null);
    setDiff(null);
    void loadVersions(next);
    if (file.kind === 'flow') void loadGraph(next, {});
    else setGraph(null);
  }

  async function loadGraph(forPath: string, withDrafts: Record<string, string>) {
    const request = ++graphRequest.current;
    try {
      const result = await ctx.api<{ graph: FlowGraph }>('POST', '/workbench/graph', {
        path: forPath,
        drafts: withDrafts,
      });
      if (request === graphRequest.current) setGraph(result.graph);
    } catch {
      // A draft with a syntax error has no graph: keep the last one drawn.
    }
  }

  async function loadVersions(forPath: string) {
    const result = await ctx.api<{ versions: Version[] }>(
      'GET',
      `/workbench/versions?path=${encodeURIComponent(forPath)}`,
    );
    setVersions(result.versions);
  }

  const validate = async (text: string): Promise<EditorProblem[]> => {
    if (!path) return [];
    const result = await ctx.api<{ problems: EditorProblem[] }>('POST', '/workbench/validate', {
      path,
      text,
    });
    setProblems(result.problems);
    if (opened?.kind === 'flow') void loadGraph(path, { [path]: text });
    return result.problems.filter((problem) => problem.file === path);
  };

  async function save() {
    if (!path || !opened) return;
    try {
      const result = await ctx.api<{ hash: string }>('POST', '/workbench/save', {
        path,
        text: draft,
        baseHash: opened.hash,
      });
      setOpened({ ...opened, text: draft, hash: result.hash });
      setConflict(null);
      ctx.toast(t('saved'));
      void loadVersions(path);
      void refreshFiles();
    } catch (error) {
      const failure = error as Error & {
        status?: number;
        body?: { problems?: EditorProblem[]; lastVersion?: Version | null; diff?: string | null };
      };
      if (failure.status === 409) {
        setConflict({ by: failure.body?.lastVersion?.author?.name ?? '?', diff: failure.body?.diff ?? null });
      } else if (failure.status === 422) {
        setProblems(failure.body?.problems ?? []);
        ctx.toast(t('saveRefused'), 'error');
      } else ctx.toast(failure.message, 'error');
    }
  }

  async function compare(version: Version) {
    if (!path) return;
    const result = await ctx.api<{ diff: string }>(
      'GET',
      `/workbench/compare?path=${encodeURIComponent(path)}&from=previous&to=${version.id}`,
    );
    setDiff(result.diff);
  }

  async function rollback(version: Version) {
    if (!path || !opened) return;
    try {
      const result = await ctx.api<{ hash: string; text: string }>('POST', '/workbench/rollback', {
        path,
        versionId: version.id,
        baseHash: opened.hash,
      });
      setOpened({ ...opened, text: result.text, hash: result.hash });
      setDraft(result.text);
      editor.current?.setText(result.text);
      ctx.toast(t('rolledBack'));
      void loadVersions(path);
    } catch (error) {
      ctx.toast((error as Error).message, 'error');
    }
  }

  const selectNode = (node: GraphNode) => {
    setSelected(node.id);
    if (node.lines) editor.current?.selectLines(node.lines.from, node.lines.to);
  };

  const onCursorLine = (line: number) => {
    const node = graph?.nodes.find(
      (candidate) => candidate.lines && line >= candidate.lines.from && line <= candidate.lines.to,
    );
    if (node) setSelected(node.id);
  };

  const fileProblems = problems.filter((problem) => problem.file === path);
  const otherProblems = problems.filter((problem) => problem.file !== path && problem.severity === 'error');
  const errors = problems.filter((problem) => problem.severity === 'error').length;
  const selectedNode = graph?.nodes.find((node) => node.id === selected);
  const [currentStep, setCurrentStep] = useState<string | undefined>();

  return (
    <div class="wb">
      <aside class="wb-files">
        <h2>{t('files')}</h2>
        <ul>
          {files.map((file) => (
            <li key={file.path}>
              <button
                type="button"
                class={file.path === path ? 'active' : ''}
                data-file={file.path}
                onClick={() => void open(file.path)}
              >
                <span class="wb-file-name">{file.path}</span>
                <span class={`wb-state ${file.errors ? 'errors' : file.warnings ? 'warnings' : 'ok'}`}>
                  {file.errors
                    ? t('errors', { n: file.errors })
                    : file.warnings
                      ? t('warnings', { n: file.warnings })
                      : '✓'}
                </span>
                {file.triggers.length > 0 ? (
                  <span class="wb-triggers">{file.triggers.slice(0, 3).join(' · ')}</span>
                ) : null}
                {file.lastChange ? (
                  <span class="wb-last">
                    {t('lastChange', {
                      at: file.lastChange.at.slice(0, 16).replace('T', ' '),
                      by: file.lastChange.by ?? '—',
                    })}
                  </span>
                ) : null}
              </button>
            </li>
          ))}
        </ul>
      </aside>
      {path && opened ? (
        <section class="wb-main">
          <header class="wb-toolbar">
            <strong>{path}</strong>
            <span class={`wb-status ${errors ? 'errors' : 'ok'}`} data-testid="wb-status">
              {errors ? t('errors', { n: errors }) : t('valid')}
            </span>
            <button
              type="button"
              class="primary"
              data-testid="wb-save"
              disabled={draft === opened.text}
              onClick={() => void save()}
            >
              {t('save')}
            </button>
          </header>
          {conflict ? (
            <div class="wb-conflict" role="alert">
              <p>{t('conflict', { by: conflict.by })}</p>
              {conflict.diff ? <pre class="wb-diff">{conflict.diff}</pre> : null}
              <button type="button" onClick={() => void open(path)}>
                {t('reloadTheirs')}
              </button>
            </div>
          ) : null}
          <div class="wb-split">
            <div class="wb-diagram-pane" data-testid="wb-diagram">
              {graph ? (
                <Diagram graph={graph} selected={selected} current={currentStep} onSelect={selectNode} />
              ) : (
                <p class="wb-hint">{t('noDiagram')}</p>
              )}
            </div>
            <div class="wb-editor-pane">
              <YamlEditor
                key={`${path}:${opened.hash}`}
                path={path}
                text={draft}
                validate={validate}
                onChange={setDraft}
                onCursorLine={onCursorLine}
                fixLabel={(insert) => t('fix', { insert })}
                handle={(handle) => {
                  editor.current = handle;
                }}
              />
              <ul class="wb-problems" data-testid="wb-problems">
                {fileProblems.map((problem) => (
                  <li key={`${problem.line}:${problem.column}:${problem.message}`} class={problem.severity}>
                    <button
                      type="button"
                      onClick={() => editor.current?.selectLines(problem.line, problem.line)}
                    >
                      {problem.line}:{problem.column}
                    </button>{' '}
                    {problem.message}
                  </li>
                ))}
                {otherProblems.map((problem) => (
                  <li key={`${problem.file}:${problem.line}:${problem.message}`} class="error other">
                    {problem.file}:{problem.line}:{problem.column} {problem.message}
                  </li>
                ))}
              </ul>
            </div>
          </div>
          <nav class="wb-tabs">
            {(
              [
                'simulator',
                'preview',
                'tests',
                'versions',
                ...(path.startsWith('faq/') ? ['faq'] : []),
              ] as Array<typeof tab>
            ).map((name) => (
              <button
                key={name}
                type="button"
                class={tab === name ? 'active' : ''}
                onClick={() => setTab(name)}
              >
                {t(`tab_${name}`)}
              </button>
            ))}
          </nav>
          {tab === 'simulator' ? (
            <Simulator
              ctx={ctx}
              t={t}
              locales={locales}
              drafts={drafts}
              onStep={setCurrentStep}
              onRecorded={() => void refreshFiles()}
            />
          ) : null}
          {tab === 'preview' ? (
            <Preview ctx={ctx} t={t} graph={graph} node={selectedNode} drafts={drafts} />
          ) : null}
          {tab === 'tests' ? <Tests ctx={ctx} t={t} drafts={drafts} flowId={graph?.flowId} /> : null}
          {tab === 'versions' ? (
            <div class="wb-versions">
              <ul>
                {versions.map((version) => (
                  <li key={version.id}>
                    <span>{version.createdAt.slice(0, 19).replace('T', ' ')}</span>{' '}
                    <strong>{version.author?.name ?? '—'}</strong> <span>{version.message}</span>{' '}
                    <button type="button" onClick={() => void compare(version)}>
                      {t('compare')}
                    </button>{' '}
                    <button type="button" onClick={() => void rollback(version)}>
                      {t('rollback')}
                    </button>
                  </li>
                ))}
              </ul>
              {diff ? <pre class="wb-diff">{diff}</pre> : null}
            </div>
          ) : null}
          {tab === 'faq' ? (
            <FaqTools ctx={ctx} t={t} path={path} text={opened.text} onChanged={() => void open(path)} />
          ) : null}
        </section>
      ) : (
        <section class="wb-main">
          <p class="wb-hint">{t('pick')}</p>
        </section>
      )}
    </div>
  );
}

type T = ReturnType<typeof textsFor<keyof (typeof TEXTS)['de']>>;

function Simulator(props: {
  ctx: ScreenContext;
  t: T;
  locales: string[];
  drafts: () => Record<string, string>;
  onStep: (step: string | undefined) => void;
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
    props.onStep(result.state.stepId ?? undefined);
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

function Preview(props: {
  ctx: ScreenContext;
  t: T;
  graph: FlowGraph | null;
  node: GraphNode | undefined;
  drafts: () => Record<string, string>;
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

function Tests(props: {
  ctx: ScreenContext;
  t: T;
  drafts: () => Record<string, string>;
  flowId: string | undefined;
}) {
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

function FaqTools(props: { ctx: ScreenContext; t: T; path: string; text: string; onChanged: () => void }) {
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
        }
      >
        {t('faqEval')}
      </button>
      {evalOutput ? <pre>{evalOutput.join('\n')}</pre> : null}
    </div>
  );
}

export const mount = defineScreen(Workbench);
