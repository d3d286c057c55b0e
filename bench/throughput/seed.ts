/** Seeds stores for the memory and broadcast runs, straight through better-sqlite3/Kysely (fast, no HTTP). */
import SQLite from 'better-sqlite3';
import { enqueueOutbound } from '../../src/outbox/enqueue.js';
import { openStore } from '../../src/store/database.js';
import { newId } from '../../src/store/ids.js';
import { migrateToLatest } from '../../src/store/migrate.js';

/** `contacts` Telegram contacts (chat ids from `firstChatId`), each with `messages` transcript lines. */
export async function seedHistory(path: string, contacts: number, messages: number, firstChatId: number) {
  const store = openStore({ databaseUrl: '', sqlitePath: path });
  await migrateToLatest(store);
  await store.close();
  const db = new SQLite(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  const contact = db.prepare(
    `insert into contacts (id, channel, channel_contact_id, first_name, locale, tags, attributes, reply_address, created_at, last_inbound_at)
     values (?, 'telegram', ?, 'Anna', 'de', '[]', '{}', ?, ?, ?)`,
  );
  const conversation = db.prepare(
    `insert into conversations (id, contact_id, channel, status, state, created_at, updated_at)
     values (?, ?, 'telegram', 'bot', '{"flowId":null,"stepId":null,"awaiting":null,"vars":{},"misses":0}', ?, ?)`,
  );
  const event = db.prepare(
    `insert into inbound_events (id, channel, native_id, contact_id, conversation_id, message, status, received_at, processed_at)
     values (?, 'telegram', ?, ?, ?, ?, 'processed', ?, ?)`,
  );
  const line = db.prepare(
    `insert into messages (id, conversation_id, contact_id, direction, author, text, inbound_event_id, created_at)
     values (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const now = Date.now() - 86_400_000;
  const batch = db.transaction((from: number, to: number) => {
    for (let i = from; i < to; i += 1) {
      const chatId = firstChatId + i;
      const contactId = newId(now);
      const conversationId = newId(now);
      contact.run(contactId, String(chatId), JSON.stringify({ chatId }), now, now);
      conversation.run(conversationId, contactId, now, now);
      for (let m = 0; m < messages; m += 2) {
        const eventId = newId(now);
        const text = `Alte Nachricht ${m} von ${chatId}`;
        event.run(
          eventId,
          `seed-${chatId}-${m}`,
          contactId,
          conversationId,
          JSON.stringify({ text }),
          now,
          now,
        );
        line.run(newId(now), conversationId, contactId, 'in', 'contact', text, eventId, now);
        line.run(newId(now), conversationId, contactId, 'out', 'bot', `Antwort ${m}`, eventId, now);
      }
    }
  });
  for (let i = 0; i < contacts; i += 5_000) batch(i, Math.min(contacts, i + 5_000));
  db.close();
}

/** `recipients` Telegram contacts, each with one queued outbox row: what a broadcast fan-out leaves behind. */
export async function seedBroadcast(
  databaseUrl: string,
  sqlitePath: string,
  recipients: number,
  firstChatId: number,
  postgresSchema?: string,
) {
  const store = openStore({ databaseUrl, sqlitePath, ...(postgresSchema ? { postgresSchema } : {}) });
  await migrateToLatest(store);
  const now = Date.now();
  for (let i = 0; i < recipients; i += 500) {
    await store.db.transaction().execute(async (trx) => {
      const rows = [];
      for (let k = i; k < Math.min(recipients, i + 500); k += 1) {
        const chatId = firstChatId + k;
        rows.push({
          id: newId(now),
          channel: 'telegram',
          channel_contact_id: String(chatId),
          first_name: 'Anna',
          display_name: null,
          last_name: null,
          username: null,
          phone: null,
          locale: 'de',
          tags: '[]',
          attributes: '{}',
          reply_address: JSON.stringify({ chatId }),
          created_at: now,
          last_inbound_at: now,
        });
      }
      await trx.insertInto('contacts').values(rows).execute();
      await enqueueOutbound(
        trx,
        rows.map((row) => ({
          contactId: row.id,
          conversationId: null,
          channel: 'telegram' as const,
          message: { text: 'Röst-News: die neue Ernte ist da.' },
          purpose: 'reply' as const,
        })),
        new Date(now),
      );
    });
  }
  await store.close();
}
