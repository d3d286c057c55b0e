/**
 * The texts the engine says on its own (re-prompts, not understood, errors), German and English built in.
 * `flows/settings.yaml` may override each under `texts:`.
 */
import type { ExpectKind, FlowSettings, LocalizedText } from '../flows/schema.js';
import { pickLocalized } from './localized-text.js';

export type BuiltinTextKey = keyof FlowSettings['texts'] | 'engine_error' | 'choose_prompt';

export const BUILTIN_TEXTS: Record<BuiltinTextKey, LocalizedText> = {
  reprompt: {
    de: 'Das habe ich leider nicht verstanden. Magst du es noch einmal versuchen?',
    en: "Sorry, I didn't get that. Could you try again?",
  },
  choose_option: {
    de: 'Das habe ich leider nicht verstanden. Tippe die Nummer einer Option oder nutze die Buttons.',
    en: "Sorry, I didn't get that. Type the number of an option or use the buttons.",
  },
  invalid_email: {
    de: 'Bitte gib eine gültige E-Mail-Adresse ein, z. B. name@beispiel.de.',
    en: 'Please enter a valid e-mail address, e.g. name@example.com.',
  },
  invalid_number: {
    de: 'Bitte gib eine Zahl ein, z. B. 3 oder 12,5.',
    en: 'Please enter a number, e.g. 3 or 12.5.',
  },
  invalid_phone: {
    de: 'Bitte gib eine Telefonnummer mit Vorwahl ein, z. B. +49 341 1234567.',
    en: 'Please enter a phone number with area code, e.g. +49 341 1234567.',
  },
  invalid_date: {
    de: 'Bitte gib ein Datum ein, z. B. 24.12.2026, 24.12. oder „morgen“.',
    en: 'Please enter a date, e.g. 2026-12-24, 24.12.2026 or "tomorrow".',
  },
  invalid_yes_no: {
    de: 'Antworte bitte mit Ja oder Nein.',
    en: 'Please answer yes or no.',
  },
  invalid_text: {
    de: 'Das passt leider nicht ganz. Magst du es noch einmal versuchen?',
    en: "That doesn't quite fit. Could you try again?",
  },
  not_understood: {
    de: 'Das habe ich leider nicht verstanden. Schreib „Menü“, um zu sehen, wobei ich helfen kann.',
    en: 'Sorry, I didn\'t understand that. Type "menu" to see what I can help with.',
  },
  choose_prompt: { de: 'Bitte wähle:', en: 'Please choose:' },
  engine_error: {
    de: 'Entschuldige, da ist bei mir gerade etwas schiefgelaufen. Schreib „Menü“, um neu zu starten, oder „Mensch“, dann meldet sich jemand von uns.',
    en: 'Sorry, something went wrong on my side. Type "menu" to start over, or "human" and one of us will get back to you.',
  },
};

/** The re-prompt text that fits what a step expects. */
export function invalidInputTextKey(expect: ExpectKind | undefined, hasButtons: boolean): BuiltinTextKey {
  switch (expect) {
    case 'email':
      return 'invalid_email';
    case 'number':
      return 'invalid_number';
    case 'phone':
      return 'invalid_phone';
    case 'date':
      return 'invalid_date';
    case 'yes_no':
      return 'invalid_yes_no';
    case 'text':
      return 'invalid_text';
    case 'choice':
      return 'choose_option';
    default:
      return hasButtons ? 'choose_option' : 'reprompt';
  }
}

/** A built-in text in the contact's locale, the flow settings' override first. */
export function builtinText(key: BuiltinTextKey, settings: FlowSettings, locale: string): string {
  const override = key === 'engine_error' || key === 'choose_prompt' ? undefined : settings.texts[key];
  const text = override ?? BUILTIN_TEXTS[key];
  // A marketer's override in only one language must not hide our built-in text in the other.
  if (
    override &&
    typeof override !== 'string' &&
    !override[locale] &&
    !override[locale.split('-')[0] ?? '']
  ) {
    return pickLocalized(BUILTIN_TEXTS[key], locale, settings.default_locale);
  }
  return pickLocalized(text, locale, settings.default_locale);
}
