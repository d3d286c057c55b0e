/** The web chat channel's public surface. */
export {
  createWebChatAdapter,
  WEBCHAT_CAPABILITIES,
  WEBCHAT_PACING,
  type WebChatAdapter,
  type WebChatAdapterDeps,
} from './adapter.js';
export { WebchatEventStore } from './event-store.js';
export { renderWebchatEvents } from './outbound.js';
export { webchatPostSchema } from './protocol.js';
export type { WebchatTables } from './tables.js';
