/** Shared rendering helpers every channel adapter uses to fit an OutboundMessage into its platform's limits. */

export { chunkButtonRows } from './button-rows.js';
export { channelLogger } from './channel-logger.js';
export { truncateLabel, truncateUtf8, utf8Length } from './labels.js';
export {
  appendLink,
  appendNumberedOptions,
  type NumberedOptionsOptions,
  renderNumberedOptions,
} from './numbered-options.js';
export { splitText } from './split-text.js';
