/**
 * Everything a referrer hands on: the web link, messenger deep links (only for configured channels), the
 * ready-to-forward text and the QR image, and the campaign landing URL a click is sent on to.
 */
import type { Config } from '../../config.js';
import { payloadForCode } from './codes.js';
import type { CampaignDefinition } from './program-schema.js';

export interface ReferralLinks {
  web: string;
  qr: string;
  telegram?: string;
  messenger?: string;
  whatsapp?: string;
}

type LinkConfig = Pick<
  Config,
  'PUBLIC_URL' | 'TELEGRAM_BOT_USERNAME' | 'MESSENGER_PAGE_NAME' | 'WHATSAPP_NUMBER'
>;

export function publicBase(config: Pick<Config, 'PUBLIC_URL'>): string {
  return config.PUBLIC_URL.replace(/\/+$/, '');
}

/** `whatsappText` is the prefilled first message, already containing the payload. */
export function buildReferralLinks(config: LinkConfig, code: string, whatsappText: string): ReferralLinks {
  const web = `${publicBase(config)}/r/${code}`;
  const payload = payloadForCode(code);
  const links: ReferralLinks = { web, qr: `${web}/qr.png` };
  const botName = config.TELEGRAM_BOT_USERNAME?.replace(/^@/, '');
  if (botName) links.telegram = `https://t.me/${encodeURIComponent(botName)}?start=${payload}`;
  if (config.MESSENGER_PAGE_NAME) {
    links.messenger = `https://m.me/${encodeURIComponent(config.MESSENGER_PAGE_NAME)}?ref=${payload}`;
  }
  const digits = config.WHATSAPP_NUMBER?.replace(/\D/g, '');
  if (digits) links.whatsapp = `https://wa.me/${digits}?text=${encodeURIComponent(whatsappText)}`;
  return links;
}

/**
 * The landing URL with UTM parameters; the landing URL's own query is kept, our UTM values win on equal names.
 * Built only from the campaign definition and our own code, never from the request: no open redirect.
 */
export function buildLandingUrl(
  campaign: CampaignDefinition,
  code: string,
  visitorId: string | null,
): string {
  const url = new URL(campaign.landing_url);
  url.searchParams.set('utm_source', campaign.utm.source);
  url.searchParams.set('utm_medium', campaign.utm.medium);
  url.searchParams.set('utm_campaign', campaign.utm.campaign);
  url.searchParams.set('utm_content', code);
  if (campaign.visitor_param && visitorId) url.searchParams.set(campaign.visitor_param, visitorId);
  return url.toString();
}
