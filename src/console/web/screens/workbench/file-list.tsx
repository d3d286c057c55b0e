/** The file list: every editable file with its validation state, triggers and last change. */
import type { FileSummary, T } from './types.js';

export function FileList(props: {
  t: T;
  files: FileSummary[];
  path: string | null;
  onOpen: (path: string) => void;
}) {
  const { t, files, path } = props;
  return (
    <aside class="wb-files">
      <h2>{t('files')}</h2>
      <ul>
        {files.map((file) => (
          <li key={file.path}>
            <button
              type="button"
              class={file.path === path ? 'active' : ''}
              data-file={file.path}
              onClick={() => props.onOpen(file.path)}
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
  );
}
