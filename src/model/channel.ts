/** The channels Plausch speaks and what each can render; the engine sees only these descriptions. */

export const CHANNEL_NAMES = [
  'telegram',
  'whatsapp-web',
  'whatsapp-cloud',
  'messenger-botframework',
  'messenger-meta',
  'webchat',
  // Terminal chat and conversation tests: no platform behind them.
  'cli',
] as const;

export type ChannelName = (typeof CHANNEL_NAMES)[number];

export function isChannelName(value: string): value is ChannelName {
  return (CHANNEL_NAMES as readonly string[]).includes(value);
}

/** How a channel shows choices: native inline buttons, quick replies, or numbered text options. */
export type ButtonStyle = 'inline' | 'quick-replies' | 'numbered-text';

export interface ChannelCapabilities {
  buttonStyle: ButtonStyle;
  /** Most buttons one message can carry before the renderer must fall back (list, numbered text). */
  maxButtons: number;
  /** Longest button label the platform shows without cutting it. */
  maxButtonLabelLength: number;
  /** Longest text of one message; longer texts are split by the adapter. */
  maxTextLength: number;
  supportsMedia: boolean;
  supportsTypingIndicator: boolean;
  /**
   * Hours after the customer's last message during which free-form messages may be sent
   * (WhatsApp Cloud and Messenger: 24). Undefined = no window.
   */
  customerServiceWindowHours?: number;
}

/** Capabilities of a channel that renders everything as plain text; used by the CLI and as a safe default. */
export const PLAIN_TEXT_CAPABILITIES: ChannelCapabilities = {
  buttonStyle: 'numbered-text',
  maxButtons: 20,
  maxButtonLabelLength: 200,
  maxTextLength: 4096,
  supportsMedia: false,
  supportsTypingIndicator: false,
};
