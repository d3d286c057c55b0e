/**
 * The unanswered-question log in the store: every question the knowledge base could not answer, grouped by
 * normalized wording so marketers see the most frequent gaps first (API and `plausch faq unanswered`).
 */
import { sql } from 'kysely';
import type { Store } from '../../store/database.js';
import { newId } from '../../store/ids.js';
import { normalizeForMatching } from '../../text/normalize.js';
import type { UnansweredQuestion, UnansweredQuestionSink } from './unanswered.js';

// A type alias, not an interface: Kysely's withTables needs an indexable shape.
export type FaqTables = {
  faq_unanswered: {
    id: string;
    text: string;
    normalized: string;
    locale: string;
    channel: string;
    contact_id: string;
    best_score: number;
    asked_at: number;
  };
};

export interface UnansweredSummary {
  /** The most recent wording of the question. */
  text: string;
  locale: string;
  asks: number;
  contacts: number;
  bestScore: number;
  lastAskedAt: Date;
}

export class StoreUnansweredQuestionLog implements UnansweredQuestionSink {
  constructor(private readonly store: Store) {}

  private get db() {
    return this.store.db.withTables<FaqTables>();
  }

  async record(question: UnansweredQuestion): Promise<void> {
    await this.db
      .insertInto('faq_unanswered')
      .values({
        id: newId(question.at.getTime()),
        text: question.text.slice(0, 2000),
        normalized: normalizeForMatching(question.text).slice(0, 500),
        locale: question.locale,
        channel: question.channel,
        contact_id: question.contactId,
        best_score: question.bestScore,
        asked_at: question.at.getTime(),
      })
      .execute();
  }

  /** Most frequent first; `since` limits to recent questions. */
  async summarize(options: { limit: number; since?: Date }): Promise<UnansweredSummary[]> {
    let query = this.db
      .selectFrom('faq_unanswered')
      .select([
        'normalized',
        'locale',
        sql<number>`count(*)`.as('asks'),
        sql<number>`count(distinct contact_id)`.as('contacts'),
        sql<number>`max(best_score)`.as('best_score'),
        sql<number>`max(asked_at)`.as('last_asked_at'),
      ])
      .groupBy(['normalized', 'locale'])
      .orderBy('asks', 'desc')
      .orderBy('last_asked_at', 'desc')
      .limit(options.limit);
    if (options.since) query = query.where('asked_at', '>=', options.since.getTime());
    const groups = await query.execute();
    const summaries: UnansweredSummary[] = [];
    for (const group of groups) {
      const latest = await this.db
        .selectFrom('faq_unanswered')
        .select('text')
        .where('normalized', '=', group.normalized)
        .where('locale', '=', group.locale)
        .orderBy('asked_at', 'desc')
        .limit(1)
        .executeTakeFirst();
      summaries.push({
        text: latest?.text ?? group.normalized,
        locale: group.locale,
        asks: Number(group.asks),
        contacts: Number(group.contacts),
        bestScore: Number(group.best_score),
        lastAskedAt: new Date(Number(group.last_asked_at)),
      });
    }
    return summaries;
  }
}
