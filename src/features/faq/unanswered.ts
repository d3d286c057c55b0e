/**
 * The unanswered-question log: questions the knowledge base could not answer, so marketers can see what
 * to add. Storage is someone else's job; this module defines the contract and an in-memory version for tests.
 */
import type { ChannelName } from '../../model/index.js';

export interface UnansweredQuestion {
  text: string;
  locale: string;
  channel: ChannelName;
  contactId: string;
  /** Confidence of the best candidate, 0 when nothing matched at all. */
  bestScore: number;
  at: Date;
}

export interface UnansweredQuestionSink {
  record(question: UnansweredQuestion): Promise<void>;
}

/** Keeps records in memory, newest last; for tests and the terminal chat. */
export class InMemoryUnansweredQuestionSink implements UnansweredQuestionSink {
  readonly #records: UnansweredQuestion[] = [];

  async record(question: UnansweredQuestion): Promise<void> {
    this.#records.push({ ...question });
  }

  get records(): readonly UnansweredQuestion[] {
    return this.#records;
  }
}
