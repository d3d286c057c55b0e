/** Table additions of the runtime's migration (0050), merged into the core tables with `withRuntimeTables`. */
import type { Kysely } from 'kysely';
import type { CoreTables } from '../schema.js';

export type RuntimeTables = {
  outbox: {
    /** Name of the guard (or `platform`) that holds this row; null unless `status = 'held'`. */
    held_by: string | null;
  };
};

export type RuntimeDb = Kysely<CoreTables & RuntimeTables>;

export function withRuntimeTables(db: Kysely<CoreTables>): RuntimeDb {
  return db.withTables<RuntimeTables>();
}
