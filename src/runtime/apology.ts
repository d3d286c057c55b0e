/** The short apology a contact gets when their message could not be handled, in their language. */
import type { OutboundMessage } from '../model/index.js';

const APOLOGIES: Record<string, string> = {
  de: 'Entschuldigung, da ist etwas schiefgelaufen. Bitte versuch es gleich noch einmal.',
  en: 'Sorry, something went wrong on our side. Please try again in a moment.',
};

export function apologyMessage(locale: string): OutboundMessage {
  return { text: APOLOGIES[locale] ?? APOLOGIES.de! };
}
