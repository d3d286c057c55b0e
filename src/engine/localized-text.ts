/** Picks the text for a contact's locale from a `LocalizedText`: contact locale, its base, the default, then any. */
import type { LocalizedText } from '../flows/schema.js';

export function pickLocalized(text: LocalizedText, locale: string, defaultLocale: string): string {
  if (typeof text === 'string') return text;
  const base = locale.split('-')[0] ?? locale;
  return text[locale] ?? text[base] ?? text[defaultLocale] ?? Object.values(text)[0] ?? '';
}

/** Every locale variant of a text (for matching what people type against labels in any language). */
export function allLocalizedVariants(text: LocalizedText): string[] {
  return typeof text === 'string' ? [text] : Object.values(text);
}
