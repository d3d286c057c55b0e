/**
 * The YAML editor: CodeMirror 6 with YAML highlighting and validation as you type — the draft goes to the
 * server's validator (debounced by the lint extension) and every problem of this file is marked at its
 * line:column; a "did you mean" suggestion is offered as a one-click fix. Moving the cursor reports the
 * line, so the diagram can highlight the step written there.
 */
import { yaml } from '@codemirror/lang-yaml';
import { type Diagnostic, linter, lintGutter } from '@codemirror/lint';
import { EditorState } from '@codemirror/state';
import { EditorView } from '@codemirror/view';
import { basicSetup } from 'codemirror';
import { useEffect, useRef } from 'preact/hooks';

export interface EditorProblem {
  file: string;
  line: number;
  column: number;
  severity: 'error' | 'warning';
  message: string;
  fix?: { line: number; column: number; endColumn: number; insert: string };
}

export interface EditorHandle {
  selectLines(from: number, to: number): void;
  setText(text: string): void;
}

interface Props {
  path: string;
  text: string;
  validate: (text: string) => Promise<EditorProblem[]>;
  onChange: (text: string) => void;
  onCursorLine: (line: number) => void;
  fixLabel: (insert: string) => string;
  handle: (editor: EditorHandle | null) => void;
}

export function YamlEditor(props: Props) {
  const host = useRef<HTMLDivElement>(null);
  const latest = useRef(props);
  latest.current = props;

  useEffect(() => {
    if (!host.current) return;
    // Inside a shadow root CodeMirror styles itself through adopted (constructed) stylesheets, which the
    // console's CSP (style-src 'self') allows; in the document it would need an inline <style>, which it blocks.
    const shadow = host.current.shadowRoot ?? host.current.attachShadow({ mode: 'open' });
    const parent = document.createElement('div');
    shadow.replaceChildren(parent);
    const lint = linter(
      async (view) => {
        const text = view.state.doc.toString();
        const problems = await latest.current.validate(text).catch(() => []);
        if (view.state.doc.toString() !== text) return [];
        return problems.map((problem) => toDiagnostic(view, problem, latest.current.fixLabel));
      },
      { delay: 400 },
    );
    const view = new EditorView({
      parent,
      root: shadow,
      state: EditorState.create({
        doc: props.text,
        extensions: [
          basicSetup,
          yaml(),
          EditorView.theme({ '&': { height: '460px' }, '.cm-scroller': { overflow: 'auto' } }),
          lintGutter(),
          lint,
          EditorView.updateListener.of((update) => {
            if (update.docChanged) latest.current.onChange(update.state.doc.toString());
            if (update.selectionSet || update.docChanged) {
              const line = update.state.doc.lineAt(update.state.selection.main.head).number;
              latest.current.onCursorLine(line);
            }
          }),
        ],
      }),
    });
    props.handle({
      selectLines(from, to) {
        const doc = view.state.doc;
        const start = doc.line(Math.min(Math.max(from, 1), doc.lines));
        const end = doc.line(Math.min(Math.max(to, 1), doc.lines));
        view.dispatch({ selection: { anchor: start.from, head: end.to }, scrollIntoView: true });
        view.focus();
      },
      setText(text) {
        view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
      },
    });
    return () => {
      props.handle(null);
      view.destroy();
    };
    // One editor per opened file: the parent re-creates it with a new key.
  }, []);

  return <div class="wb-editor" ref={host} data-path={props.path} />;
}

function toDiagnostic(
  view: EditorView,
  problem: EditorProblem,
  fixLabel: (insert: string) => string,
): Diagnostic {
  const doc = view.state.doc;
  const line = doc.line(Math.min(Math.max(problem.line, 1), doc.lines));
  const from = Math.min(line.from + Math.max(problem.column - 1, 0), line.to);
  const wordEnd = /^[^\s:,{}[\]#]*/.exec(line.text.slice(from - line.from))?.[0].length ?? 0;
  const to = Math.max(from + wordEnd, Math.min(from + 1, line.to));
  const fix = problem.fix;
  return {
    from,
    to,
    severity: problem.severity,
    message: problem.message,
    ...(fix
      ? {
          actions: [
            {
              name: fixLabel(fix.insert),
              apply(target: EditorView) {
                const fixLine = target.state.doc.line(fix.line);
                target.dispatch({
                  changes: {
                    from: fixLine.from + fix.column - 1,
                    to: fixLine.from + fix.endColumn - 1,
                    insert: fix.insert,
                  },
                });
              },
            },
          ],
        }
      : {}),
  };
}
