/**
 * Understanding customers' words, shared by the FAQ matcher and the complaint detection: language
 * detection, Snowball stemming, compound splitting, thesaurus and translation data, features and a linear
 * classifier trained at load time.
 */
export {
  type Analysis,
  Analyzer,
  type AnalyzerSource,
  type Evidence,
  HOME_COUNTRY,
  isPlaceTerm,
  type WordTrace,
} from './analyzer.js';
export {
  type ClassifierOptions,
  DEFAULT_CLASSIFIER_OPTIONS,
  type FeatureVector,
  LinearClassifier,
  type Prediction,
  type TrainingExample,
} from './classifier.js';
export { featuresOf } from './features.js';
export { detectLanguage, type Language, type LanguageGuess, languageOfLocale } from './language.js';
export { stemWord } from './stemmer.js';
