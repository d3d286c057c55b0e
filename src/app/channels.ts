/**
 * Builds the channel adapters the configuration enables. Each adapter's library is imported only when that
 * channel is on, so a Telegram-only deployment never loads puppeteer or botbuilder.
 */
import type { ChannelAdapter } from '../channels/types.js';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import type { ChannelName } from '../model/index.js';
import type { Store } from '../store/database.js';

export async function createEnabledAdapters(
  config: Config,
  logger: Logger,
  store: Store,
  instanceId: string,
): Promise<Map<ChannelName, ChannelAdapter>> {
  const adapters = new Map<ChannelName, ChannelAdapter>();
  const add = (adapter: ChannelAdapter | null) => {
    if (!adapter) return;
    adapters.set(adapter.name, adapter);
    logger.info({ channel: adapter.name }, 'channel enabled');
  };

  if (config.TELEGRAM_BOT_TOKEN) {
    const { createTelegramAdapter } = await import('../channels/telegram/adapter.js');
    add(createTelegramAdapter(config, logger.child({ channel: 'telegram' })));
  }
  if (config.WHATSAPP_WEB_ENABLED) {
    const { createWhatsAppWebAdapter } = await import('../channels/whatsapp-web/adapter.js');
    const { runOnOneInstance } = await import('../channels/single-instance.js');
    // One browser session per WhatsApp number: the instance holding the lease runs it, the others stand by.
    add(
      runOnOneInstance(createWhatsAppWebAdapter(config, logger.child({ channel: 'whatsapp-web' })), {
        store,
        instanceId,
        logger,
      }),
    );
  }
  if (config.WHATSAPP_CLOUD_TOKEN) {
    const { createWhatsAppCloudAdapter } = await import('../channels/whatsapp-cloud/adapter.js');
    add(createWhatsAppCloudAdapter(config, logger.child({ channel: 'whatsapp-cloud' })));
  }
  if (config.MESSENGER_PAGE_TOKEN) {
    const { createMessengerMetaAdapter } = await import('../channels/messenger-meta/adapter.js');
    add(createMessengerMetaAdapter(config, logger.child({ channel: 'messenger-meta' })));
  }
  if (config.BOTFRAMEWORK_ENABLED) {
    const { createBotFrameworkAdapter } = await import('../channels/messenger-botframework/adapter.js');
    add(createBotFrameworkAdapter(config, logger.child({ channel: 'messenger-botframework' })));
  }
  if (config.WEBCHAT_ENABLED) {
    const { createWebChatAdapter } = await import('../channels/webchat/adapter.js');
    add(createWebChatAdapter(config, logger.child({ channel: 'webchat' }), { store }));
  }
  return adapters;
}
