/** Picks the text for a locale from a knowledge-base text, by the rule all of Plausch uses. */
export { pickLocalized as localize } from '../../text/localized.js';
