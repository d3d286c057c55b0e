/**
 * Webhook senders that behave like the platforms: each chat's messages go out one after another, and a
 * message is posted again and again until the server acknowledges it with a 2xx — through refused
 * connections, resets, timeouts and 5xx answers while the server is killed or its database is away.
 */
import { signMetaPayload } from '../../src/channels/meta/signature.js';

export interface SentEvent {
  channel: 'telegram' | 'whatsapp';
  chat: string;
  seq: number;
  text: string;
  /** The platform's id of the event (Telegram update_id, WhatsApp wamid): the inbox's dedupe key. */
  nativeId: string;
  /** Deliveries it took until one was acknowledged. */
  attempts: number;
  /** Non-2xx answers seen (connection errors not included). */
  refusals: number;
}

export interface WebhookTarget {
  baseUrl: string;
  telegramSecret: string;
  metaAppSecret: string;
  phoneNumberId: string;
}

/** Posts until a 2xx arrives; counts the deliveries. `stop()` ends waiting for an acknowledgement. */
async function deliver(
  url: string,
  body: string,
  headers: Record<string, string>,
  shouldStop: () => boolean,
): Promise<{ attempts: number; refusals: number; statuses: number[] }> {
  let attempts = 0;
  let refusals = 0;
  const statuses: number[] = [];
  for (;;) {
    if (shouldStop()) throw new Error('sender stopped before the event was acknowledged');
    attempts += 1;
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
        signal: AbortSignal.timeout(10_000),
      });
      await response.arrayBuffer();
      if (response.status >= 200 && response.status < 300) return { attempts, refusals, statuses };
      refusals += 1;
      statuses.push(response.status);
      if (response.status >= 400 && response.status < 500) {
        throw new Error(`${url} answered ${response.status}: the payload itself was refused`);
      }
    } catch (error) {
      if (error instanceof Error && error.message.includes('the payload itself was refused')) throw error;
      // refused / reset / timed out: the server is down or restarting
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(50 * attempts, 500)));
  }
}

export function telegramUpdate(updateId: number, chatId: number, text: string): string {
  return JSON.stringify({
    update_id: updateId,
    message: {
      message_id: updateId,
      from: { id: chatId, is_bot: false, first_name: `Kunde${chatId}`, language_code: 'en' },
      chat: { id: chatId, type: 'private', first_name: `Kunde${chatId}` },
      date: Math.floor(Date.now() / 1000),
      text,
    },
  });
}

export function whatsAppMessage(phoneNumberId: string, from: string, wamid: string, text: string): string {
  return JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [
      {
        id: '102290129340398',
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '4915123456789', phone_number_id: phoneNumberId },
              contacts: [{ profile: { name: `Kunde ${from.slice(-3)}` }, wa_id: from }],
              messages: [
                {
                  from,
                  id: wamid,
                  timestamp: String(Math.floor(Date.now() / 1000)),
                  text: { body: text },
                  type: 'text',
                },
              ],
            },
          },
        ],
      },
    ],
  });
}

export interface ChatScript {
  channel: 'telegram' | 'whatsapp';
  /** Telegram chat id or WhatsApp number. */
  chat: string;
  messages: number;
}

/**
 * Sends every chat's messages in order, all chats in parallel. `onAck` runs after each acknowledgement
 * (the test kills the server from there). Texts are `m<chat>-<seq>`, so every reply names its event.
 */
export async function sendScripts(
  target: () => WebhookTarget,
  scripts: readonly ChatScript[],
  options: { onAck?: (event: SentEvent) => void; shouldStop?: () => boolean; firstUpdateId?: number } = {},
): Promise<SentEvent[]> {
  const sent: SentEvent[] = [];
  let updateId = options.firstUpdateId ?? 500_000;
  const shouldStop = options.shouldStop ?? (() => false);
  await Promise.all(
    scripts.map(async (script) => {
      for (let seq = 1; seq <= script.messages; seq += 1) {
        const text = `m${script.chat}-${seq}`;
        const t = target();
        let result: { attempts: number; refusals: number };
        let nativeId: string;
        if (script.channel === 'telegram') {
          updateId += 1;
          nativeId = String(updateId);
          result = await deliver(
            `${t.baseUrl}/webhooks/telegram`,
            telegramUpdate(updateId, Number(script.chat), text),
            { 'x-telegram-bot-api-secret-token': t.telegramSecret },
            shouldStop,
          );
        } else {
          nativeId = `wamid.fault.${script.chat}.${seq}`;
          const body = whatsAppMessage(t.phoneNumberId, script.chat, nativeId, text);
          result = await deliver(
            `${t.baseUrl}/webhooks/whatsapp`,
            body,
            { 'x-hub-signature-256': signMetaPayload(body, t.metaAppSecret) },
            shouldStop,
          );
        }
        const event: SentEvent = {
          channel: script.channel,
          chat: script.chat,
          seq,
          text,
          nativeId,
          attempts: result.attempts,
          refusals: result.refusals,
        };
        sent.push(event);
        options.onAck?.(event);
      }
    }),
  );
  return sent;
}
