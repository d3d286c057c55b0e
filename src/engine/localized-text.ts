/** Flow texts per locale: picking one for a contact (shared rule) and every variant for matching labels. */
import type { LocalizedText } from '../flows/schema.js';

export { pickLocalized } from '../text/localized.js';

/** Every locale variant of a text (for matching what people type against labels in any language). */
export function allLocalizedVariants(text: LocalizedText): string[] {
  return typeof text === 'string' ? [text] : Object.values(text);
}
