/** The FAQ matcher folds text like every other understanding step: see src/understanding/normalize.ts. */
export { foldText, keyTokens, spellingKey, tokenize } from '../../understanding/normalize.js';
