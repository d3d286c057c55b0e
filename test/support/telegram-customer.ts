/**
 * A customer chatting with Plausch through the fake Telegram Bot API: types text, presses inline buttons of
 * the bot's last message, and reads what the bot sent. Used by end-to-end tests of the sample flows.
 */
import type { FakeTelegramBotApi, RecordedCall } from '../fakes/telegram-bot-api.js';

interface InlineButton {
  text: string;
  callback_data?: string;
  url?: string;
}

export interface BotMessage {
  text: string;
  buttons: InlineButton[];
  method: string;
}

const SEND_METHODS = new Set(['sendMessage', 'sendPhoto', 'sendDocument']);

export class TelegramCustomer {
  /** How many of the bot's sends to this chat were already read. */
  #read = 0;
  #lastButtons: InlineButton[] = [];

  constructor(
    private readonly fake: FakeTelegramBotApi,
    readonly chatId: number,
    private readonly profile: { first_name: string; language_code?: string; username?: string } = {
      first_name: 'Anna',
      language_code: 'de',
    },
  ) {}

  private get from() {
    return { id: this.chatId, is_bot: false, ...this.profile };
  }

  say(text: string): void {
    const entities = text.startsWith('/')
      ? [{ type: 'bot_command', offset: 0, length: text.split(' ')[0]?.length ?? text.length }]
      : undefined;
    this.fake.pushUpdate({
      message: {
        message_id: Math.floor(Math.random() * 1e9),
        from: this.from,
        chat: { id: this.chatId, type: 'private', first_name: this.profile.first_name },
        date: Math.floor(Date.now() / 1000),
        text,
        ...(entities ? { entities } : {}),
      },
    });
  }

  /** Presses the button with this label on the latest bot message that had buttons. */
  press(label: string): void {
    const button = this.#lastButtons.find((b) => b.text === label);
    if (!button?.callback_data) {
      throw new Error(
        `no button "${label}"; the bot offered: ${this.#lastButtons.map((b) => b.text).join(' | ')}`,
      );
    }
    this.fake.pushUpdate({
      callback_query: {
        id: String(Math.floor(Math.random() * 1e9)),
        from: this.from,
        chat_instance: `ci-${this.chatId}`,
        message: {
          message_id: 1,
          chat: { id: this.chatId, type: 'private' },
          date: Math.floor(Date.now() / 1000),
          text: '…',
        },
        data: button.callback_data,
      },
    });
  }

  private sendsToMe(): RecordedCall[] {
    return this.fake.calls.filter(
      (c) => SEND_METHODS.has(c.method) && String(c.body.chat_id) === String(this.chatId),
    );
  }

  /**
   * Waits until the bot has sent messages to this chat and stayed quiet for `quietMs`, then returns the ones
   * not read yet.
   */
  async replies(
    options: { atLeast?: number; quietMs?: number; timeoutMs?: number } = {},
  ): Promise<BotMessage[]> {
    const atLeast = options.atLeast ?? 1;
    // Telegram paces one message per second per chat, so a multi-message answer has ~1 s gaps.
    const quietMs = options.quietMs ?? 1300;
    const deadline = Date.now() + (options.timeoutMs ?? 10_000);
    let seen = this.sendsToMe().length;
    let quietSince = Date.now();
    while (Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      const count = this.sendsToMe().length;
      if (count !== seen) {
        seen = count;
        quietSince = Date.now();
      }
      if (count - this.#read >= atLeast && Date.now() - quietSince >= quietMs) break;
    }
    const fresh = this.sendsToMe().slice(this.#read);
    this.#read += fresh.length;
    const messages = fresh.map(toBotMessage);
    const withButtons = [...messages].reverse().find((m) => m.buttons.length > 0);
    if (withButtons) this.#lastButtons = withButtons.buttons;
    if (messages.length < atLeast) {
      throw new Error(
        `expected at least ${atLeast} bot message(s), got ${messages.length}: ${describe(messages)}`,
      );
    }
    return messages;
  }

  /** The bot's new messages joined into one text, for `toContain` checks. */
  async replyText(options?: Parameters<TelegramCustomer['replies']>[0]): Promise<string> {
    return describe(await this.replies(options));
  }
}

function toBotMessage(call: RecordedCall): BotMessage {
  const body = call.body as {
    text?: string;
    caption?: string;
    reply_markup?: { inline_keyboard?: InlineButton[][] };
  };
  return {
    text: body.text ?? body.caption ?? '',
    buttons: body.reply_markup?.inline_keyboard?.flat() ?? [],
    method: call.method,
  };
}

export function describe(messages: BotMessage[]): string {
  return messages
    .map((m) => `${m.text}${m.buttons.length ? ` [${m.buttons.map((b) => b.text).join(' | ')}]` : ''}`)
    .join('\n');
}
