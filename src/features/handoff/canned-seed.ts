/**
 * Canned replies the brand ships (`flows/handoff/canned-replies.yaml`): put into the console's canned replies
 * once per shortcut and language. A supervisor's edit or deletion in the console sticks: a reply seeded before is
 * never seeded again (`canned_reply_seeds`), and a shortcut the team already has is left alone.
 */
import { existsSync } from 'node:fs';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { newId } from '../../store/ids.js';
import type { CoreTables } from '../../store/schema.js';
import { readYamlFileOrThrow } from '../../yaml/validated-yaml.js';
import { withHandoffTables } from './tables.js';

export const cannedRepliesFileSchema = z.strictObject({
  replies: z.record(
    z.string().regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, 'use lower-case letters, digits, - and _ (at most 40)'),
    z.record(z.string().min(2).max(8), z.string().trim().min(1).max(4000)),
  ),
});
export type CannedRepliesFile = z.output<typeof cannedRepliesFileSchema>;

/** The shipped replies, or none when the file does not exist (the console then starts empty). */
export function loadShippedCannedReplies(file: string): CannedRepliesFile {
  if (!existsSync(file)) return { replies: {} };
  return readYamlFileOrThrow(cannedRepliesFileSchema, file);
}

/** Seeds what was never seeded; returns how many replies were added. */
export async function seedCannedReplies(
  db: Kysely<CoreTables>,
  shipped: CannedRepliesFile,
  now: Date,
): Promise<number> {
  let added = 0;
  for (const [shortcut, texts] of Object.entries(shipped.replies)) {
    for (const [locale, text] of Object.entries(texts)) {
      const inserted = await db.transaction().execute(async (trx) => {
        const hdb = withHandoffTables(trx);
        const seed = await hdb
          .insertInto('canned_reply_seeds')
          .values({ shortcut, locale, seeded_at: now.getTime() })
          .onConflict((oc) => oc.columns(['shortcut', 'locale']).doNothing())
          .executeTakeFirst();
        if (Number(seed.numInsertedOrUpdatedRows ?? 0) !== 1) return false;
        const reply = await hdb
          .insertInto('console_canned_replies')
          .values({
            id: newId(now.getTime()),
            shortcut,
            locale,
            text,
            created_by: null,
            created_at: now.getTime(),
            updated_at: now.getTime(),
          })
          .onConflict((oc) => oc.columns(['shortcut', 'locale']).doNothing())
          .executeTakeFirst();
        return Number(reply.numInsertedOrUpdatedRows ?? 0) === 1;
      });
      if (inserted) added += 1;
    }
  }
  return added;
}
