/** Gives an adapter a logger bound to its channel, without binding it twice when the caller already did. */
import type { Logger } from '../../logger.js';
import type { ChannelName } from '../../model/index.js';

export function channelLogger(logger: Logger, channel: ChannelName): Logger {
  return logger.bindings().channel === channel ? logger : logger.child({ channel });
}
