/** Picks the text for a person's locale from a `string | { de, en, … }` value, with a sensible fallback. */

export type Localized = string | Readonly<Record<string, string>>;

/** Exact locale, then its language (`de-AT` → `de`), then the default locale, then any text there is. */
export function pickLocalized(text: Localized, locale: string, defaultLocale = 'de'): string {
  if (typeof text === 'string') return text;
  const language = locale.split(/[-_]/)[0] ?? locale;
  return text[locale] ?? text[language] ?? text[defaultLocale] ?? Object.values(text)[0] ?? '';
}

/** Replaces `{name}` placeholders; unknown names stay visible so a missing value is noticed, not hidden. */
export function fillPlaceholders(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => values[name] ?? whole);
}
