/**
 * The built-in guard for channels with a customer-service window (WhatsApp Cloud, Messenger: 24 hours after
 * the customer's last message). Outside it: a template variant is sent instead, a tagged message goes as is
 * (HUMAN_AGENT only for agents' messages within 7 days), anything else is held until the customer writes again.
 */
import type { ChannelCapabilities, ChannelName } from '../model/index.js';
import type { GuardVerdict, SendGuard } from './types.js';

export const HUMAN_AGENT_TAG_DAYS = 7;

export class WindowGuard implements SendGuard {
  readonly name = 'window';

  constructor(private readonly capabilitiesOf: (channel: ChannelName) => ChannelCapabilities | undefined) {}

  async check(
    ...[row, { contact, conversation, now }]: Parameters<SendGuard['check']>
  ): Promise<GuardVerdict> {
    const hours = this.capabilitiesOf(row.channel)?.customerServiceWindowHours;
    if (hours === undefined) return { action: 'send' };
    const lastInbound = contact.lastInboundAt?.getTime() ?? null;
    const windowEnd =
      conversation?.windowExpiresAt?.getTime() ??
      (lastInbound === null ? null : lastInbound + hours * 3_600_000);
    if (windowEnd !== null && now.getTime() < windowEnd) return { action: 'send' };

    const { message } = row;
    if (message.template) return { action: 'send-as', message: { template: message.template } };
    if (message.tag === 'HUMAN_AGENT') {
      const withinAgentWindow =
        lastInbound !== null && now.getTime() - lastInbound < HUMAN_AGENT_TAG_DAYS * 86_400_000;
      if (row.purpose === 'agent' && withinAgentWindow) return { action: 'send' };
      return {
        action: 'hold',
        reason: `outside the ${hours}-hour window; the HUMAN_AGENT tag is only for agents' replies within ${HUMAN_AGENT_TAG_DAYS} days`,
      };
    }
    if (message.tag) return { action: 'send' };
    return { action: 'hold', reason: `outside the ${hours}-hour window` };
  }
}
