/** Picks the text for a locale from a knowledge-base text: exact locale, then its language, then the default. */
import type { LocalizedText } from './kb-schema.js';

export function localize(text: LocalizedText, locale: string, defaultLocale: string): string {
  if (typeof text === 'string') return text;
  const language = locale.split('-')[0] ?? locale;
  return text[locale] ?? text[language] ?? text[defaultLocale] ?? Object.values(text)[0] ?? '';
}
