/**
 * The flow workbench: pick a file, see the flow as a diagram beside its YAML, edit with validation as you
 * type, preview what the customer sees, try the draft in the simulator, run the conversation tests, save
 * live (refused while invalid, warned on a conflict), compare versions and roll back. This shell holds the
 * open file's state; each pane and tab is its own component in this folder.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ScreenContext } from '../../shared/context.js';
import { defineScreen } from '../../shared/screen.js';
import { textsFor } from '../../shared/texts.js';
import type { FlowGraph, GraphNode } from './diagram.js';
import { DiagramPane } from './diagram-pane.js';
import type { EditorHandle, EditorProblem } from './editor.js';
import { EditorPane } from './editor-pane.js';
import { FaqTools } from './faq.js';
import { FileList } from './file-list.js';
import { Preview } from './preview.js';
import { Simulator } from './simulator.js';
import { Tests } from './tests.js';
import { TEXTS } from './texts.js';
import type { FileSummary, Version } from './types.js';
import { Versions } from './versions.js';
import './workbench.css';

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
  /** Where the simulator's conversation is. */
  const [simAt, setSimAt] = useState<{ flowId: string; stepId: string } | undefined>();
  /** The flows followed through their jumps, to go back to. */
  const [trail, setTrail] = useState<Array<{ path: string; nodeId: string }>>([]);
  /** What to select once the next graph arrives (a followed jump's step, the node gone back to). */
  const pendingFocus = useRef<{ stepId?: string; nodeId?: string } | null>(null);
  /** Lines to select once the editor of a just opened file exists. */
  const pendingLines = useRef<{ from: number; to: number } | null>(null);
  /** Bumped to make the diagram bring the selected step into view again. */
  const [reveal, setReveal] = useState(0);

  const selectLines = (from: number, to: number) => {
    if (editor.current) editor.current.selectLines(from, to);
    else pendingLines.current = { from, to };
  };

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

  async function open(next: string, focus?: { stepId?: string; nodeId?: string }) {
    pendingFocus.current = focus ?? null;
    pendingLines.current = null;
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
      if (request === graphRequest.current) {
        setGraph(result.graph);
        const focus = pendingFocus.current;
        pendingFocus.current = null;
        const node = focus
          ? result.graph.nodes.find((candidate) =>
              focus.nodeId
                ? candidate.id === focus.nodeId
                : focus.stepId
                  ? candidate.stepId === focus.stepId
                  : candidate.kind === 'start',
            )
          : undefined;
        if (node) {
          setSelected(node.id);
          if (node.lines) selectLines(node.lines.from, node.lines.to);
        }
      }
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
      void refreshFiles();
    } catch (error) {
      ctx.toast((error as Error).message, 'error');
    }
  }

  const selectNode = (node: GraphNode) => {
    if (node.kind === 'flow' && node.target && !node.broken) {
      void follow(node, node.target);
      return;
    }
    setSelected(node.id);
    if (node.lines) editor.current?.selectLines(node.lines.from, node.lines.to);
  };

  /** Opens the flow a jump leads to, at the step it names; the trail leads back. */
  async function follow(node: GraphNode, target: { flowId: string; stepId?: string }) {
    const to = files.find((file) => file.flowId === target.flowId)?.path;
    if (!path || !to) return;
    if (opened && draft !== opened.text && !window.confirm(t('leaveUnsaved', { path }))) return;
    setTrail((previous) => [...previous, { path, nodeId: node.id }]);
    await open(to, target.stepId ? { stepId: target.stepId } : {}).catch((error: Error) =>
      ctx.toast(error.message, 'error'),
    );
  }

  async function back() {
    const last = trail.at(-1);
    if (!last) return;
    if (opened && path && draft !== opened.text && !window.confirm(t('leaveUnsaved', { path }))) return;
    setTrail((previous) => previous.slice(0, -1));
    await open(last.path, { nodeId: last.nodeId }).catch((error: Error) => ctx.toast(error.message, 'error'));
  }

  const onCursorLine = (line: number) => {
    const node = graph?.nodes.find(
      (candidate) => candidate.lines && line >= candidate.lines.from && line <= candidate.lines.to,
    );
    if (node) setSelected(node.id);
  };

  const errors = problems.filter((problem) => problem.severity === 'error').length;
  const errorLines = problems
    .filter((problem) => problem.file === path && problem.severity === 'error')
    .map((problem) => problem.line);
  const selectedNode = graph?.nodes.find((node) => node.id === selected);
  // The simulator's step in this flow, or the jump that took the conversation into another flow.
  const currentNode =
    graph && simAt
      ? graph.nodes.find((node) =>
          simAt.flowId === graph.flowId
            ? node.kind === 'step' && node.stepId === simAt.stepId
            : node.kind === 'flow' && node.target?.flowId === simAt.flowId,
        )
      : undefined;

  return (
    <div class="wb">
      <FileList
        t={t}
        files={files}
        path={path}
        onOpen={(next) => {
          setTrail([]);
          void open(next);
        }}
      />
      {path && opened ? (
        <section class="wb-main">
          <header class="wb-toolbar">
            {trail.length > 0 ? (
              <button type="button" data-testid="wb-back" onClick={() => void back()}>
                {t('back', { path: trail.at(-1)?.path ?? '' })}
              </button>
            ) : null}
            <strong data-testid="wb-path">{path}</strong>
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
            <DiagramPane
              t={t}
              graph={graph}
              selected={selected}
              current={currentNode?.id}
              errorLines={errorLines}
              reveal={reveal}
              note={
                graph && simAt && simAt.flowId !== graph.flowId
                  ? t('simElsewhere', { flow: `${simAt.flowId}.${simAt.stepId}` })
                  : undefined
              }
              onSelect={selectNode}
            />
            <EditorPane
              t={t}
              path={path}
              editorKey={`${path}:${opened.hash}`}
              draft={draft}
              problems={problems}
              validate={validate}
              onChange={setDraft}
              onCursorLine={onCursorLine}
              editor={editor}
              onProblem={(line) => {
                editor.current?.selectLines(line, line);
                onCursorLine(line);
                setReveal((n) => n + 1);
              }}
              onReady={() => {
                const lines = pendingLines.current;
                pendingLines.current = null;
                if (lines) editor.current?.selectLines(lines.from, lines.to);
              }}
            />
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
              onStep={setSimAt}
              onRecorded={() => void refreshFiles()}
            />
          ) : null}
          {tab === 'preview' ? (
            <Preview ctx={ctx} t={t} graph={graph} node={selectedNode} drafts={drafts} />
          ) : null}
          {tab === 'tests' ? <Tests ctx={ctx} t={t} drafts={drafts} flowId={graph?.flowId} /> : null}
          {tab === 'versions' ? (
            <Versions
              t={t}
              versions={versions}
              diff={diff}
              onCompare={(version) => void compare(version)}
              onRollback={(version) => void rollback(version)}
            />
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

export const mount = defineScreen(Workbench);
