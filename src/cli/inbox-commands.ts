/** `plausch inbox rejected`: the dead-letter table, newest first. */
import { loadConfig } from '../config.js';
import { openStore } from '../store/database.js';
import { migrateToLatest } from '../store/migrate.js';
import { countDeadLetters, listDeadLetters } from '../store/repositories/dead-letters.js';

const print = (line: string) => process.stdout.write(`${line}\n`);

export async function inboxRejected(options: {
  limit: number;
  channel?: string;
  json?: boolean;
}): Promise<number> {
  const config = loadConfig();
  const store = openStore({ databaseUrl: config.DATABASE_URL, sqlitePath: config.SQLITE_PATH });
  try {
    await migrateToLatest(store);
    const letters = await listDeadLetters(store.db, {
      limit: Number.isFinite(options.limit) ? options.limit : 20,
      ...(options.channel ? { channel: options.channel } : {}),
    });
    if (options.json) {
      print(JSON.stringify(letters, null, 2));
      return 0;
    }
    const total = await countDeadLetters(store.db);
    if (total === 0) {
      print('No rejected inbound events.');
      return 0;
    }
    print(`${total} rejected inbound event(s); newest ${letters.length}:`);
    for (const letter of letters) {
      const when = letter.receivedAt.toISOString().slice(0, 19).replace('T', ' ');
      print(`${when}  ${letter.channel}  ${letter.nativeId ?? '-'}  ${letter.reason}`);
      const preview = letter.payload.length > 160 ? `${letter.payload.slice(0, 160)}…` : letter.payload;
      print(
        `    ${preview.replace(/\s+/g, ' ')}  (${letter.payloadBytes} bytes${letter.truncated ? ', truncated' : ''})`,
      );
    }
    return 0;
  } finally {
    await store.close();
  }
}
