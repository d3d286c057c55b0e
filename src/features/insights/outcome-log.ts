/**
 * The anonymous outcome log behind the service-question figures: which action ended how, on which channel,
 * when. It records no contact and no text, so it is an aggregate that erasure and retention leave alone.
 * Recording never fails a turn: a lost statistic is logged, the customer still gets the answer.
 */
import type { ActionDefinition } from '../../engine/actions.js';
import type { Logger } from '../../logger.js';
import type { Store } from '../../store/database.js';
import { newId } from '../../store/ids.js';
import { withInsightTables } from './tables.js';

export interface OutcomeLog {
  record(action: string, outcome: string, channel: string, at: Date): Promise<void>;
}

export function storeOutcomeLog(store: Store, logger: Logger): OutcomeLog {
  const db = withInsightTables(store.db);
  return {
    async record(action, outcome, channel, at) {
      try {
        await db
          .insertInto('insight_action_outcomes')
          .values({ id: newId(at.getTime()), action, outcome, channel, created_at: at.getTime() })
          .execute();
      } catch (error) {
        logger.warn({ err: error, action }, 'could not record an action outcome');
      }
    },
  };
}

/** The same action, whose every outcome is also written to the log. */
export function withOutcomeLog<Args>(
  action: ActionDefinition<Args>,
  log: OutcomeLog,
): ActionDefinition<Args> {
  return {
    ...action,
    async run(args, context) {
      const result = await action.run(args, context);
      await log.record(action.name, result.outcome ?? 'ok', context.channel, context.now);
      return result;
    },
  };
}
