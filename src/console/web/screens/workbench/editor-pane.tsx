/** The editor pane: the YAML editor and the list of problems (this file's, then other files' errors). */
import { type EditorHandle, type EditorProblem, YamlEditor } from './editor.js';
import type { T } from './types.js';

export function EditorPane(props: {
  t: T;
  path: string;
  /** Re-creates the editor when another file or version is opened. */
  editorKey: string;
  draft: string;
  problems: EditorProblem[];
  validate: (text: string) => Promise<EditorProblem[]>;
  onChange: (text: string) => void;
  onCursorLine: (line: number) => void;
  editor: { current: EditorHandle | null };
  /** A problem in the list was clicked: its line is selected, the diagram shows its step. */
  onProblem: (line: number) => void;
  /** Called when the editor of a newly opened file is ready. */
  onReady?: () => void;
}) {
  const { t, path, problems, editor } = props;
  const fileProblems = problems.filter((problem) => problem.file === path);
  const otherProblems = problems.filter((problem) => problem.file !== path && problem.severity === 'error');
  return (
    <div class="wb-editor-pane">
      <YamlEditor
        key={props.editorKey}
        path={path}
        text={props.draft}
        validate={props.validate}
        onChange={props.onChange}
        onCursorLine={props.onCursorLine}
        fixLabel={(insert) => t('fix', { insert })}
        handle={(handle) => {
          editor.current = handle;
          if (handle) props.onReady?.();
        }}
      />
      <ul class="wb-problems" data-testid="wb-problems">
        {fileProblems.map((problem) => (
          <li key={`${problem.line}:${problem.column}:${problem.message}`} class={problem.severity}>
            <button type="button" onClick={() => props.onProblem(problem.line)}>
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
  );
}
