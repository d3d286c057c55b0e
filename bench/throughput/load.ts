/**
 * Load against Telegram webhook endpoints and the replies that come back at the fake Bot API: closed loop
 * (N virtual users, each sends a chat's messages one after another, waiting for each reply) for peak
 * throughput, open loop (a fixed rate) for latency at a given load.
 */
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { FakeTelegramBotApi } from '../../test/fakes/telegram-bot-api.js';
import { WEBHOOK_SECRET } from './processes.js';

const agent = new Agent({ keepAlive: true, maxSockets: 256 });

let nextUpdateId = 1;
let nextMessageId = 1;

export function telegramUpdate(chatId: number, text: string): string {
  return JSON.stringify({
    update_id: nextUpdateId++,
    message: {
      message_id: nextMessageId++,
      date: Math.floor(Date.now() / 1000),
      chat: { id: chatId, type: 'private', first_name: 'Anna' },
      from: { id: chatId, is_bot: false, first_name: 'Anna', language_code: 'de' },
      text,
    },
  });
}

/**
 * POSTs one update; resolves with the HTTP status (the ack). A connection reset before any answer is
 * retried, as Telegram redelivers an update it got no answer for.
 */
export async function postUpdate(port: number, body: string): Promise<number> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await postOnce(port, body);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (attempt >= 5 || (code !== 'ECONNRESET' && code !== 'EPIPE')) throw error;
    }
  }
}

function postOnce(port: number, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        agent,
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/webhooks/telegram',
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          'x-telegram-bot-api-secret-token': WEBHOOK_SECRET,
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Matches replies at the fake Bot API to the messages waiting for them, per chat in order. */
export class ReplyTracker {
  readonly #waiting = new Map<string, Array<(at: number) => void>>();
  readonly repliesPerChat = new Map<string, number>();
  unexpected = 0;
  readonly #unsubscribe: () => void;

  constructor(fake: FakeTelegramBotApi) {
    this.#unsubscribe = fake.onSend((call) => {
      const chat = String(call.body.chat_id);
      this.repliesPerChat.set(chat, (this.repliesPerChat.get(chat) ?? 0) + 1);
      const queue = this.#waiting.get(chat);
      const next = queue?.shift();
      if (queue && queue.length === 0) this.#waiting.delete(chat);
      if (next) next(performance.now());
      else this.unexpected += 1;
    });
  }

  /** Call BEFORE sending: a reply can arrive before the ack does. Resolves with the reply's time or null. */
  expect(chatId: number, timeoutMs = 60_000): Promise<number | null> {
    return new Promise((resolve) => {
      const chat = String(chatId);
      const timer = setTimeout(() => {
        const queue = this.#waiting.get(chat);
        const index = queue?.indexOf(done) ?? -1;
        if (queue && index >= 0) queue.splice(index, 1);
        resolve(null);
      }, timeoutMs);
      const done = (at: number) => {
        clearTimeout(timer);
        resolve(at);
      };
      const queue = this.#waiting.get(chat) ?? [];
      queue.push(done);
      this.#waiting.set(chat, queue);
    });
  }

  close(): void {
    this.#unsubscribe();
  }
}

export interface LoopResult {
  messages: number;
  seconds: number;
  perSecond: number;
  latenciesMs: number[];
  missing: number;
  failedAcks: number;
}

/**
 * `users` virtual users work through `chats` chats; each sends `perChat` messages to its chat one after
 * another and waits for the reply to each. `targets` are the ports; message j of chat k goes to
 * targets[(k + j) % n] (several instances: one chat's messages alternate between them).
 */
export async function closedLoop(options: {
  tracker: ReplyTracker;
  targets: number[];
  chats: number;
  perChat: number;
  users: number;
  firstChatId: number;
}): Promise<LoopResult> {
  const { tracker, targets } = options;
  const latencies: number[] = [];
  let missing = 0;
  let failedAcks = 0;
  let nextChat = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: options.users }, async () => {
      while (nextChat < options.chats) {
        const k = nextChat++;
        const chatId = options.firstChatId + k;
        for (let j = 0; j < options.perChat; j += 1) {
          const reply = tracker.expect(chatId);
          const sentAt = performance.now();
          const status = await postUpdate(
            targets[(k + j) % targets.length]!,
            telegramUpdate(chatId, `Nachricht ${j + 1}`),
          );
          if (status !== 200) failedAcks += 1;
          const at = await reply;
          if (at === null) missing += 1;
          else latencies.push(at - sentAt);
        }
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const messages = options.chats * options.perChat;
  return {
    messages,
    seconds,
    perSecond: (messages - missing) / seconds,
    latenciesMs: latencies,
    missing,
    failedAcks,
  };
}

/** Sends `count` messages at `rate` per second (round-robin over `chats` chats) and measures reply latency. */
export async function openLoop(options: {
  tracker: ReplyTracker;
  target: number;
  rate: number;
  count: number;
  chats: number;
  firstChatId: number;
}): Promise<LoopResult> {
  const { tracker } = options;
  const latencies: number[] = [];
  let missing = 0;
  let failedAcks = 0;
  const started = performance.now();
  const pending: Promise<void>[] = [];
  for (let i = 0; i < options.count; i += 1) {
    const due = started + (i * 1000) / options.rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const chatId = options.firstChatId + (i % options.chats);
    const reply = tracker.expect(chatId);
    const sentAt = performance.now();
    pending.push(
      postUpdate(options.target, telegramUpdate(chatId, `Frage ${i}`)).then(async (status) => {
        if (status !== 200) failedAcks += 1;
        const at = await reply;
        if (at === null) missing += 1;
        else latencies.push(at - sentAt);
      }),
    );
  }
  await Promise.all(pending);
  const seconds = (performance.now() - started) / 1000;
  return {
    messages: options.count,
    seconds,
    perSecond: (options.count - missing) / seconds,
    latenciesMs: latencies,
    missing,
    failedAcks,
  };
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
