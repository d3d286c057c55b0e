/** Canned replies: `/shortcut` texts per locale that agents expand in the composer; supervisors edit them. */
import { z } from 'zod';
import { withHandoffTables } from '../../features/handoff/tables.js';
import type { Store } from '../../store/database.js';
import { newId } from '../../store/ids.js';

export const cannedReplySchema = z.strictObject({
  shortcut: z
    .string()
    .trim()
    .regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, 'use lower-case letters, digits, - and _ (at most 40)'),
  locale: z.string().trim().min(2).max(8),
  text: z.string().trim().min(1).max(4000),
});
export type CannedReplyInput = z.infer<typeof cannedReplySchema>;

export interface CannedReply extends CannedReplyInput {
  id: string;
  updatedAt: number;
}

export async function listCannedReplies(store: Store): Promise<CannedReply[]> {
  const rows = await withHandoffTables(store.db)
    .selectFrom('console_canned_replies')
    .selectAll()
    .orderBy('shortcut')
    .orderBy('locale')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    shortcut: r.shortcut,
    locale: r.locale,
    text: r.text,
    updatedAt: Number(r.updated_at),
  }));
}

export class DuplicateShortcutError extends Error {}

export async function saveCannedReply(
  store: Store,
  input: CannedReplyInput,
  by: string,
  now: Date,
  id?: string,
): Promise<CannedReply | null> {
  const db = withHandoffTables(store.db);
  const clash = await db
    .selectFrom('console_canned_replies')
    .select('id')
    .where('shortcut', '=', input.shortcut)
    .where('locale', '=', input.locale)
    .executeTakeFirst();
  if (clash && clash.id !== id)
    throw new DuplicateShortcutError(`/${input.shortcut} (${input.locale}) exists already`);
  if (id) {
    const result = await db
      .updateTable('console_canned_replies')
      .set({ ...input, updated_at: now.getTime() })
      .where('id', '=', id)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) return null;
    return { id, ...input, updatedAt: now.getTime() };
  }
  const newRow = {
    id: newId(now.getTime()),
    ...input,
    created_by: by,
    created_at: now.getTime(),
    updated_at: now.getTime(),
  };
  await db.insertInto('console_canned_replies').values(newRow).execute();
  return { id: newRow.id, ...input, updatedAt: now.getTime() };
}

export async function deleteCannedReply(store: Store, id: string): Promise<boolean> {
  const result = await withHandoffTables(store.db)
    .deleteFrom('console_canned_replies')
    .where('id', '=', id)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}
