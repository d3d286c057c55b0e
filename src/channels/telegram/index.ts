/** The Telegram channel's public surface. */
export {
  createTelegramAdapter,
  TELEGRAM_CAPABILITIES,
  TELEGRAM_PACING,
  type TelegramAdapter,
  type TelegramAdapterDeps,
} from './adapter.js';
export { normalizeTelegramUpdate, parseStartCommand, START_PAYLOAD_PATTERN } from './inbound.js';
export { mapTelegramError, renderTelegramCalls } from './outbound.js';
export { TELEGRAM_WEBHOOK_PATH } from './webhook.js';
