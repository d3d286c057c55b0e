/**
 * The texts the engine says on its own (re-prompts, not understood, errors), German and English built in.
 * `flows/settings.yaml` may override each under `texts:`.
 */
import type { ExpectKind, FlowSettings, LocalizedText } from '../flows/schema.js';
import type { MediaKind } from '../model/index.js';
import { pickLocalized } from './localized-text.js';

export type BuiltinTextKey = keyof FlowSettings['texts'] | 'engine_error' | 'choose_prompt' | 'resume_choose';

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
    de: 'Bitte gib eine gültige E-Mail-Adresse ein, z. B. name@example.com.',
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
  resume_prompt: { de: 'Zurück zu meiner Frage:', en: 'Back to my question:' },
  resume_choose: { de: 'Magst du hier weitermachen?', en: 'Shall we carry on here?' },
  media_image: {
    de: 'Bilder kann ich mir leider noch nicht ansehen. Schreib mir kurz, worum es geht – oder schreib „Mensch“, dann schaut sich jemand aus unserem Team dein Foto an.',
    en: 'Sorry, I can\'t look at pictures yet. Tell me in a few words what it\'s about – or type "human" and someone from our team will take a look at your photo.',
  },
  media_audio: {
    de: 'Ich kann Sprachnachrichten noch nicht anhören – schreib mir kurz, worum es geht. Oder schreib „Mensch“, dann hört jemand aus unserem Team sie sich an.',
    en: 'Sorry, I can\'t listen to voice messages yet – just type what it\'s about. Or type "human" and someone from our team will listen to it.',
  },
  media_video: {
    de: 'Videos kann ich mir leider noch nicht ansehen. Schreib mir kurz, worum es geht – oder schreib „Mensch“, dann schaut sich jemand aus unserem Team das Video an.',
    en: 'Sorry, I can\'t watch videos yet. Tell me in a few words what it\'s about – or type "human" and someone from our team will watch it.',
  },
  media_file: {
    de: 'Dateien kann ich leider noch nicht öffnen. Schreib mir kurz, worum es geht – oder schreib „Mensch“, dann schaut sich jemand aus unserem Team die Datei an.',
    en: 'Sorry, I can\'t open files yet. Tell me in a few words what it\'s about – or type "human" and someone from our team will look at it.',
  },
  media_sticker: {
    de: 'Schöner Sticker! 😄 Verstehen kann ich aber nur Text – schreib mir einfach, wobei ich helfen kann.',
    en: 'Nice sticker! 😄 I only understand text, though – just type what I can help you with.',
  },
  media_location: {
    de: 'Danke für deinen Standort! Damit kann ich leider noch nichts anfangen – schreib mir kurz, worum es geht.',
    en: "Thanks for sharing your location! I can't do anything with it yet, though – just type what it's about.",
  },
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

/** The reply to media the bot cannot read, by kind. */
export function mediaTextKey(kind: MediaKind): BuiltinTextKey {
  return `media_${kind}`;
}

/** A built-in text in the contact's locale, the flow settings' override first. */
export function builtinText(key: BuiltinTextKey, settings: FlowSettings, locale: string): string {
  const override =
    key === 'engine_error' || key === 'choose_prompt' || key === 'resume_choose'
      ? undefined
      : settings.texts[key];
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
