/** Texts given once or per locale (`"Hallo"` or `{ de: "Hallo", en: "Hello" }`), and picking one for a person. */

export type Localized = string | Readonly<Record<string, string>>;

/** Exact locale, then its language (`de-AT` → `de`), then the default locale, then any text there is. */
export function pickLocalized(text: Localized, locale: string, defaultLocale = 'de'): string {
  if (typeof text === 'string') return text;
  const language = locale.split(/[-_]/)[0] ?? locale;
  return text[locale] ?? text[language] ?? text[defaultLocale] ?? Object.values(text)[0] ?? '';
}
