/**
 * Checks on texts customers read: a translation for every locale in `settings.locales`, no unknown
 * locale keys, placeholders that can be filled in, and button labels that fit every channel.
 */
import { placeholderProblems } from './placeholders.js';
import type { LocalizedText } from './schema.js';
import { didYouMean } from './suggest.js';
import type { ProblemList } from './validate-context.js';
import type { YamlPath, YamlSource } from './yaml-source.js';

/** WhatsApp Cloud reply buttons and Messenger quick replies cut labels after 20 characters. */
export const MAX_BUTTON_LABEL_LENGTH = 20;

export interface TextCheckOptions {
  locales: readonly string[];
  /** Button labels also get a length check. */
  isButtonLabel?: boolean;
}

export function checkLocalizedText(
  problems: ProblemList,
  source: YamlSource,
  path: YamlPath,
  text: LocalizedText,
  options: TextCheckOptions,
): void {
  if (typeof text === 'string') {
    checkPlainText(problems, source, path, text, options);
    return;
  }
  for (const [locale, value] of Object.entries(text)) {
    if (!options.locales.includes(locale)) {
      problems.add(
        source,
        [...path, locale],
        `unknown locale "${locale}"${didYouMean(locale, options.locales)}; settings.locales has ${options.locales.join(', ')}`,
        { where: 'key' },
      );
    }
    checkPlainText(problems, source, [...path, locale], value, options);
  }
  const missing = options.locales.filter((locale) => !(locale in text));
  if (missing.length > 0) {
    const names = missing.join(', ');
    problems.add(
      source,
      path,
      `missing translation for ${names}: add ${missing.map((l) => `"${l}:"`).join(' and ')} or write one text for every locale`,
    );
  }
}

function checkPlainText(
  problems: ProblemList,
  source: YamlSource,
  path: YamlPath,
  text: string,
  options: TextCheckOptions,
): void {
  for (const problem of placeholderProblems(text)) {
    problems.add(source, path, problem.message, { severity: problem.severity });
  }
  if (options.isButtonLabel) {
    const length = [...text].length;
    if (length > MAX_BUTTON_LABEL_LENGTH) {
      problems.warn(
        source,
        path,
        `button label "${text}" has ${length} characters; WhatsApp Cloud and Messenger cut it after ${MAX_BUTTON_LABEL_LENGTH}`,
      );
    }
  }
}

/** Placeholders in every string below `value` (action arguments, `set` values). */
export function checkPlaceholdersDeep(
  problems: ProblemList,
  source: YamlSource,
  path: YamlPath,
  value: unknown,
): void {
  if (typeof value === 'string') {
    for (const problem of placeholderProblems(value))
      problems.add(source, path, problem.message, { severity: problem.severity });
  } else if (Array.isArray(value)) {
    value.forEach((item, index) => {
      checkPlaceholdersDeep(problems, source, [...path, index], item);
    });
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value))
      checkPlaceholdersDeep(problems, source, [...path, key], item);
  }
}
