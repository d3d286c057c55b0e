/**
 * A small state file outside the database that remembers "this database held data". If the database
 * later turns up empty (./data deleted, a volume not mounted, DATABASE_URL pointing elsewhere), start-up
 * refuses instead of silently beginning again with no admin, no conversations and no consent ledger.
 * `plausch db init` accepts an empty database on purpose.
 *
 * The file must survive losing the data directory, so by default it lives in the user's state directory
 * ($XDG_STATE_HOME or ~/.local/state/plausch), named by a hash of where the data lives.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import type { Store } from './database.js';

const markerSchema = z.object({
  store: z.string(),
  hadData: z.boolean(),
  updatedAt: z.string(),
});
export type DataMarker = z.infer<typeof markerSchema>;

export class DataLossError extends Error {
  constructor(
    readonly store: string,
    readonly markerPath: string,
    readonly marker: DataMarker,
  ) {
    super(
      `The database ${store} is empty, but it held data before (recorded in ${markerPath} at ${marker.updatedAt}). ` +
        'Refusing to start on an empty database: restore the data (the file or volume, or the right DATABASE_URL), ' +
        'or run `plausch db init` to start over with an empty database on purpose.',
    );
    this.name = 'DataLossError';
  }
}

/** `off` disables the marker; empty = the default place for this store. */
export function resolveMarkerPath(
  configured: string | undefined,
  store: Pick<Store, 'description'>,
  env: NodeJS.ProcessEnv = process.env,
): string | null {
  if (configured === 'off') return null;
  if (configured) return configured;
  const base = env.XDG_STATE_HOME?.trim() || join(homedir(), '.local', 'state');
  const key = createHash('sha256').update(store.description).digest('hex').slice(0, 16);
  return join(base, 'plausch', `data-${key}.json`);
}

export function readMarker(path: string): DataMarker | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return null;
  }
  const parsed = markerSchema.safeParse(safeJson(text));
  return parsed.success ? parsed.data : null;
}

export function writeMarker(path: string, marker: DataMarker): void {
  mkdirSync(dirname(path), { recursive: true });
  // Write then rename: a crash never leaves half a marker.
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(marker, null, 2)}\n`);
  renameSync(temporary, path);
}

/** Anything a lost database would take with it: contacts or console staff. */
export async function storeHasData(store: Store): Promise<boolean> {
  const contact = await store.db.selectFrom('contacts').select('id').limit(1).executeTakeFirst();
  if (contact) return true;
  const user = await store.db
    .withTables<{ console_users: { id: string } }>()
    .selectFrom('console_users')
    .select('id')
    .limit(1)
    .executeTakeFirst();
  return Boolean(user);
}

/**
 * Start-up check: throws DataLossError when the store is empty but the marker says it had data; records
 * that it has data otherwise. Returns whether the store has data now.
 */
export async function checkDataMarker(store: Store, markerPath: string, now: Date): Promise<boolean> {
  const hasData = await storeHasData(store);
  const marker = readMarker(markerPath);
  if (!hasData && marker?.hadData) throw new DataLossError(store.description, markerPath, marker);
  if (hasData && !marker?.hadData) {
    writeMarker(markerPath, { store: store.description, hadData: true, updatedAt: now.toISOString() });
  }
  return hasData;
}

/** `plausch db init`: the empty database is wanted; forget that there was data. */
export function resetMarker(markerPath: string, store: Pick<Store, 'description'>, now: Date): void {
  writeMarker(markerPath, { store: store.description, hadData: false, updatedAt: now.toISOString() });
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
