/** `plausch db migrate`. */
import { loadConfig } from '../config.js';
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
