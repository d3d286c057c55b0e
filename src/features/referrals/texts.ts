/** Fills `{{placeholders}}` in referral texts; built-in texts where YAML gives none. */
import type { Localized } from './program-schema.js';

export { pickLocalized } from '../../text/localized.js';

/**
 * Replaces `{{name}}` with values; unknown placeholders stay visible so a marketer notices them.
 * `{{name|Freund|Freunde}}` writes the number with the singular or plural word: "1 Freund", "3 Freunde".
 */
export function fillTemplate(template: string, values: Record<string, string | number>): string {
  return template.replace(
    /\{\{\s*([a-z_]+)\s*(?:\|([^|}]*)\|([^}]*))?\}\}/g,
    (whole, name: string, singular?: string, plural?: string) => {
      if (!(name in values)) return whole;
      const value = values[name];
      if (singular === undefined || plural === undefined) return String(value);
      return `${value} ${Number(value) === 1 ? singular.trim() : plural.trim()}`;
    },
  );
}

export const BUILT_IN_TEXTS = {
  intro: {
    de: 'Dein persönlicher Empfehlungslink – leite die nächste Nachricht einfach an Freunde weiter:',
    en: 'Your personal referral link – just forward the next message to your friends:',
  },
  qr_caption: {
    de: 'Oder lass deine Freunde diesen QR-Code scannen.',
    en: 'Or let your friends scan this QR code.',
  },
  whatsapp_text: {
    de: 'Hallo! Ich wurde eingeladen ({{payload}}).',
    en: 'Hi! I was invited ({{payload}}).',
  },
  stats: {
    de: 'Deine Empfehlungen: {{clicks|Klick|Klicks}} auf deinen Link, {{joined|Freund ist|Freunde sind}} dabei, {{conversions|Bestellung|Bestellungen}}.',
    en: 'Your referrals: {{clicks|click|clicks}} on your link, {{joined|friend|friends}} joined, {{conversions|order|orders}}.',
  },
  stats_next: {
    de: 'Noch {{remaining|Freund|Freunde}} bis zur nächsten Belohnung: {{label}}.',
    en: '{{remaining|more friend|more friends}} to your next reward: {{label}}.',
  },
  stats_done: {
    de: 'Du hast alle Belohnungen erreicht – danke!',
    en: 'You have reached every reward – thank you!',
  },
  reward_pending: {
    de: 'Danke! {{friends|Freund ist|Freunde sind}} über dich dabei. Deine Belohnung bereiten wir gerade vor und schicken sie dir in Kürze.',
    en: 'Thank you! {{friends|friend|friends}} joined through you. We are preparing your reward and will send it shortly.',
  },
  milestone_label: {
    de: 'Belohnung für {{friends|Freund|Freunde}}',
    en: 'reward for {{friends|friend|friends}}',
  },
} satisfies Record<string, Localized>;
