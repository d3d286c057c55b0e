/** The WhatsApp Web channel's public surface. */
export {
  createWhatsAppWebAdapter,
  WHATSAPP_WEB_CAPABILITIES,
  WHATSAPP_WEB_PACING,
  type WhatsAppWebAdapter,
  type WhatsAppWebAdapterDeps,
} from './adapter.js';
export type { WhatsAppWebClient, WhatsAppWebRuntime } from './client.js';
export { normalizeWhatsAppWebMessage } from './inbound.js';
export { mapWhatsAppWebError, renderWhatsAppWebParts } from './outbound.js';
