/**
 * The few words the Meta adapters add themselves (list button, list section, a body for button messages
 * without text, a label for bare links), German first, English for everyone else.
 */

export interface MetaUiTexts {
  listButton: string;
  listSection: string;
  chooseBody: string;
  openLink: string;
}

const GERMAN: MetaUiTexts = {
  listButton: 'Auswählen',
  listSection: 'Optionen',
  chooseBody: 'Bitte wähle:',
  openLink: 'Öffnen',
};

const ENGLISH: MetaUiTexts = {
  listButton: 'Choose',
  listSection: 'Options',
  chooseBody: 'Please choose:',
  openLink: 'Open',
};

/** Texts for a contact's locale (`de`, `de-AT`, `en`, …). */
export function metaUiTexts(locale: string | null | undefined): MetaUiTexts {
  return (locale ?? '').toLowerCase().startsWith('de') ? GERMAN : ENGLISH;
}
