/**
 * The FAQ feature as the server sees it: loads the knowledge base, builds the matcher once and hands over
 * the `faq.*` actions. Unanswered questions are logged in the store (or the sink a test hands in) and
 * listed at `GET /api/v1/faq/unanswered`. `reload()` (SIGHUP) swaps in an edited knowledge base; one that
 * does not load leaves the current one answering. The same matcher tells the engine whether a message typed at a
 * prompt is a question the knowledge base answers (a digression), so both always agree.
 */
import type { ActionDefinition } from '../../engine/actions.js';
import { storeOutcomeLog, withOutcomeLog } from '../insights/outcome-log.js';
import type { Feature, FeatureContext } from '../types.js';
import { type FaqActionOptions, faqActions } from './actions.js';
import { faqFeedbackAction } from './feedback-action.js';
import { loadKnowledgeBase } from './kb-loader.js';
import { buildMatcher, type MatcherConfig } from './matcher.js';
import { countingOutcomeLog } from './outcome-counts.js';
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
  const log = new StoreUnansweredQuestionLog(context.store);
  const sink = options.sink ?? log;
  const build = async () => {
    const kb = await loadKnowledgeBase(options.knowledgeBaseDir);
    const matcher = buildMatcher(kb, options.matcher);
    const actions = faqActions(kb, matcher, sink, {
      onSinkError: (error) => context.logger.warn({ err: error }, 'could not record an unanswered question'),
      ...options.actions,
    });
    context.logger.info({ entries: kb.entries.length }, 'faq knowledge base loaded');
    return { matcher, actions: new Map(actions.map((action) => [action.name, action])) };
  };
  let current = await build();
  // The registry keeps these definitions; each run goes to the actions of the knowledge base loaded last.
  // Every outcome (answered, clarify, unknown; feedback yes/no) also goes to the dashboard's outcome log,
  // and is counted for /metrics.
  const outcomes = countingOutcomeLog(storeOutcomeLog(context.store, context.logger));
  const actions: ActionDefinition[] = [
    ...[...current.actions.values()].map((action) =>
      withOutcomeLog(
        { ...action, run: (args, ctx) => (current.actions.get(action.name) ?? action).run(args, ctx) },
        outcomes,
      ),
    ),
    withOutcomeLog(faqFeedbackAction(), outcomes) as ActionDefinition,
  ];
  return {
    name: 'faq',
    actions,
    apiRouter: createFaqRouter(log),
    openApi: faqOpenApi,
    // Exactly when `faq.answer` would answer outright rather than ask back or decline.
    questionDetector: {
      isConfidentQuestion: (text, { locale }) =>
        current.matcher.match(text, { locale }).decision === 'answer',
    },
    async reload() {
      current = await build();
    },
  };
}
