/**
 * The FAQ feature as the server sees it: loads the knowledge base, builds the matcher once and hands over
 * the `faq.*` actions. Unanswered questions are logged in the store (or the sink a test hands in) and
 * listed at `GET /api/v1/faq/unanswered`.
 */
import type { Feature, FeatureContext } from '../types.js';
import { type FaqActionOptions, faqActions } from './actions.js';
import { loadKnowledgeBase } from './kb-loader.js';
import { buildMatcher, type MatcherConfig } from './matcher.js';
import { createFaqRouter, faqOpenApi } from './routes.js';
import type { UnansweredQuestionSink } from './unanswered.js';
import { StoreUnansweredQuestionLog } from './unanswered-store.js';

export interface FaqFeatureOptions {
  knowledgeBaseDir: string;
  sink?: UnansweredQuestionSink;
  matcher?: Partial<MatcherConfig>;
  actions?: FaqActionOptions;
}

export async function createFaqFeature(
  context: FeatureContext,
  options: FaqFeatureOptions,
): Promise<Feature> {
  const kb = await loadKnowledgeBase(options.knowledgeBaseDir);
  const matcher = buildMatcher(kb, options.matcher);
  const log = new StoreUnansweredQuestionLog(context.store);
  const sink = options.sink ?? log;
  const actions = faqActions(kb, matcher, sink, {
    onSinkError: (error) => context.logger.warn({ err: error }, 'could not record an unanswered question'),
    ...options.actions,
  });
  context.logger.info({ entries: kb.entries.length }, 'faq knowledge base loaded');
  return { name: 'faq', actions, apiRouter: createFaqRouter(log), openApi: faqOpenApi };
}
