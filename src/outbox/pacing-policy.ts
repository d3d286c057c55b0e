/**
 * Which pacing applies to a channel: the adapter's defaults (from the platform's docs), overridden by
 * configuration, or none at all when pacing is switched off (benchmarks against a fake platform only).
 */
import type { ChannelPacing } from '../channels/types.js';
import type { Config } from '../config.js';
import type { ChannelName } from '../model/index.js';

export interface PacingPolicy {
  enabled: boolean;
  /** Configured rates per channel; missing channels keep their adapter's defaults. */
  perChannel: Partial<Record<ChannelName, Partial<ChannelPacing>>>;
}

export const UNPACED: ChannelPacing = { overallPerSecond: Number.POSITIVE_INFINITY, perChatIntervalMs: 0 };

export const DEFAULT_PACING_POLICY: PacingPolicy = { enabled: true, perChannel: {} };

export function effectivePacing(
  policy: PacingPolicy,
  channel: ChannelName,
  adapterDefault: ChannelPacing,
): ChannelPacing {
  if (!policy.enabled) return UNPACED;
  return { ...adapterDefault, ...policy.perChannel[channel] };
}

/** The pacing settings of the environment (see .env.example, "Sending rates"). */
export function pacingPolicyFromConfig(config: Config): PacingPolicy {
  const perChannel: PacingPolicy['perChannel'] = {};
  const set = (channel: ChannelName, rate: number | undefined, chatIntervalMs?: number) => {
    const entry: Partial<ChannelPacing> = {};
    if (rate !== undefined) entry.overallPerSecond = rate;
    if (chatIntervalMs !== undefined) entry.perChatIntervalMs = chatIntervalMs;
    if (Object.keys(entry).length > 0) perChannel[channel] = entry;
  };
  set('telegram', config.TELEGRAM_SENDS_PER_SECOND, config.TELEGRAM_CHAT_INTERVAL_MS);
  set('whatsapp-cloud', config.WHATSAPP_CLOUD_MESSAGES_PER_SECOND, config.WHATSAPP_CLOUD_CHAT_INTERVAL_MS);
  set('messenger-meta', config.MESSENGER_SENDS_PER_SECOND, config.MESSENGER_CHAT_INTERVAL_MS);
  return { enabled: config.OUTBOX_PACING, perChannel };
}
