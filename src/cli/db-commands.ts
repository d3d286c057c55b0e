/** `plausch db migrate` and `plausch db init`. */
import { loadConfig } from '../config.js';
import { resetMarker, resolveMarkerPath, storeHasData, writeMarker } from '../store/data-marker.js';
import { openStore } from '../store/database.js';
import { migrateToLatest } from '../store/migrate.js';

export async function migrate(): Promise<number> {
  const config = loadConfig();
  const store = openStore({ databaseUrl: config.DATABASE_URL, sqlitePath: config.SQLITE_PATH });
  try {
    const report = await migrateToLatest(store);
    process.stdout.write(
      report.applied.length === 0
        ? `${store.description}: schema is up to date\n`
        : `${store.description}: applied ${report.applied.join(', ')}\n`,
    );
    return 0;
  } finally {
    await store.close();
  }
}

/**
 * Creates (or brings up to date) the database and accepts it as it is: after ./data was lost on purpose,
 * `serve` refuses to start on the empty database until this ran.
 */
export async function init(): Promise<number> {
  const config = loadConfig();
  const store = openStore({ databaseUrl: config.DATABASE_URL, sqlitePath: config.SQLITE_PATH });
  try {
    await migrateToLatest(store);
    const markerPath = resolveMarkerPath(config.DATA_MARKER_PATH, store);
    const hasData = await storeHasData(store);
    const now = new Date();
    if (markerPath) {
      if (hasData)
        writeMarker(markerPath, { store: store.description, hadData: true, updatedAt: now.toISOString() });
      else resetMarker(markerPath, store, now);
    }
    process.stdout.write(
      hasData
        ? `${store.description}: holds data already; nothing to initialise\n`
        : `${store.description}: empty database initialised; \`plausch serve\` will start on it\n`,
    );
    return 0;
  } finally {
    await store.close();
  }
}
