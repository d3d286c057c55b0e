/**
 * A screen's UI texts in German and English, filled with {name} placeholders. Each screen keeps its own table so
 * screens stay independent; a missing English text falls back to German, a missing key shows the key (visible in
 * a test, never an empty label).
 */
import type { ConsoleLocale } from './context.js';

export type TextTable<K extends string> = { de: Record<K, string>; en: Partial<Record<K, string>> };

export function textsFor<K extends string>(
  table: TextTable<K>,
  locale: ConsoleLocale,
): (key: K, values?: Record<string, string | number>) => string {
  return (key, values = {}) => {
    const template = (locale === 'en' ? table.en[key] : undefined) ?? table.de[key] ?? key;
    return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
      name in values ? String(values[name]) : whole,
    );
  };
}
