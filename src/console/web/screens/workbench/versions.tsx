/** The versions tab: every saved version with who and when; compare with the one before, roll back. */
import type { T, Version } from './types.js';

export function Versions(props: {
  t: T;
  versions: Version[];
  diff: string | null;
  onCompare: (version: Version) => void;
  onRollback: (version: Version) => void;
}) {
  const { t } = props;
  return (
    <div class="wb-versions" data-testid="wb-versions">
      <ul>
        {props.versions.map((version) => (
          <li key={version.id}>
            <span>{version.createdAt.slice(0, 19).replace('T', ' ')}</span>{' '}
            <strong>{version.author?.name ?? '—'}</strong> <span>{version.message}</span>{' '}
            <button type="button" onClick={() => props.onCompare(version)}>
              {t('compare')}
            </button>{' '}
            <button type="button" onClick={() => props.onRollback(version)}>
              {t('rollback')}
            </button>
          </li>
        ))}
      </ul>
      {props.diff ? <pre class="wb-diff">{props.diff}</pre> : null}
    </div>
  );
}
