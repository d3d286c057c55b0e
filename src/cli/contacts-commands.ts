/** `plausch contacts export <id>` and `plausch contacts erase <id> --yes`: GDPR requests from the shell. */
import { loadConfig } from '../config.js';
import { eraseContact } from '../features/privacy/erase.js';
import { exportContact } from '../features/privacy/export.js';
import { erasureKeyOf } from '../features/privacy/index.js';
import { openStore } from '../store/database.js';
import { migrateToLatest } from '../store/migrate.js';

async function withStore<T>(
  work: (store: ReturnType<typeof openStore>, key: string) => Promise<T>,
): Promise<T> {
  const config = loadConfig();
  const store = openStore({ databaseUrl: config.DATABASE_URL, sqlitePath: config.SQLITE_PATH });
  try {
    await migrateToLatest(store);
    return await work(store, erasureKeyOf(config));
  } finally {
    await store.close();
  }
}

export function contactsExport(id: string): Promise<number> {
  return withStore(async (store) => {
    const document = await exportContact(store, id, new Date());
    process.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
    return 0;
  });
}

export function contactsErase(id: string, confirmed: boolean): Promise<number> {
  if (!confirmed) {
    process.stderr.write(
      `plausch: erasing contact ${id} cannot be undone; run again with --yes to erase it (export it first with \`plausch contacts export ${id}\`)\n`,
    );
    return Promise.resolve(2);
  }
  return withStore(async (store, key) => {
    const result = await eraseContact(store, id, { key, source: 'cli', now: new Date() });
    process.stdout.write(
      result.alreadyErased
        ? `contact ${id} was already erased\n`
        : `contact ${id} erased; consent ledger entries now under ${result.pseudonym}\n${Object.entries(
            result.counts,
          )
            .map(([what, n]) => `  ${what}: ${n}`)
            .join('\n')}\n`,
    );
    return 0;
  });
}
