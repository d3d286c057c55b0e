/** Service questions: knowledge base, matcher, flow actions, unanswered log and evaluation. */

export { formatProblem, SourceError, type SourceProblem } from '../../yaml/validated-yaml.js';
export {
  FAQ_NONE_PAYLOAD,
  FAQ_PAYLOAD_PREFIX,
  type FaqActionOptions,
  faqActions,
} from './actions.js';
export {
  type EvalItemResult,
  type EvalReport,
  type EvalSet,
  evaluateMatcher,
  loadEvalSet,
  runFaqEvalCommand,
} from './evaluate.js';
export { createFaqFeature, type FaqFeatureOptions } from './feature.js';
export { type KnowledgeBaseFile, loadKnowledgeBase, parseKnowledgeBase } from './kb-loader.js';
export type { FaqButton, FaqEntry, KnowledgeBase, LocalizedText, SynonymGroup } from './kb-schema.js';
export {
  buildMatcher,
  DEFAULT_MATCHER_CONFIG,
  type Explanation,
  type FaqMatcher,
  type MatchDecision,
  type MatcherConfig,
  type MatchOptions,
  type MatchResult,
  type ScoredEntry,
} from './matcher.js';
export {
  InMemoryUnansweredQuestionSink,
  type UnansweredQuestion,
  type UnansweredQuestionSink,
} from './unanswered.js';
