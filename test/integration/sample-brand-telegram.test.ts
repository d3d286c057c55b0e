/**
 * The sample brand end to end through a real channel adapter: a customer on (fake) Telegram uses all four jobs
 * of the sample flows — service question, event reminder, newsletter double opt-in, referral link — and STOP.
 * Everything runs for real: HTTP to the fake Bot API, inbox, engine, features, outbox, store.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EventTables } from '../../src/features/events/tables.js';
import type { NewsletterTables } from '../../src/features/newsletter/tables.js';
import { enqueueOutbound } from '../../src/outbox/enqueue.js';
import { FakeTelegramBotApi } from '../fakes/telegram-bot-api.js';
import { type RunningPlausch, startPlausch } from '../support/plausch-instance.js';
import {
  createTestDatabase,
  dialectsUnderTest,
  notePostgresSkipped,
  type TestStoreHandle,
} from '../support/stores.js';
import { TelegramCustomer } from '../support/telegram-customer.js';

notePostgresSkipped();

describe.each(dialectsUnderTest)('sample brand through Telegram on %s', (dialect) => {
  let fake: FakeTelegramBotApi;
  let database: TestStoreHandle;
  let running: RunningPlausch | undefined;

  beforeEach(async () => {
    fake = await FakeTelegramBotApi.start();
    database = await createTestDatabase(dialect);
    running = await startPlausch({ store: await database.open(), telegramApiRoot: fake.apiRoot });
  });

  afterEach(async () => {
    await running?.stop();
    running = undefined;
    await fake.close();
    await database.dispose();
  });

  async function contactIdOf(chatId: number): Promise<string> {
    const row = await running!.plausch.store.db
      .selectFrom('contacts')
      .select('id')
      .where('channel', '=', 'telegram')
      .where('channel_contact_id', '=', String(chatId))
      .executeTakeFirstOrThrow();
    return row.id;
  }

  it('greets, answers a service question and subscribes with double opt-in, then STOP unsubscribes', async () => {
    const anna = new TelegramCustomer(fake, 5001);
    anna.say('/start');
    const greeting = await anna.replyText();
    expect(greeting).toContain('Anna');
    expect(greeting).toContain('Newsletter');

    anna.say('Wie lange dauert der Versand nach Hamburg?');
    expect(await anna.replyText()).toMatch(/Werktag/);

    anna.say('newsletter');
    await anna.replies();
    anna.press('Röst-News monatlich');
    const consentAsk = await anna.replyText();
    expect(consentAsk).toContain('STOP');
    const db = running!.plausch.store.db.withTables<NewsletterTables>();
    const contactId = await contactIdOf(5001);

    // Nothing is active before the explicit confirmation.
    const before = await db
      .selectFrom('newsletter_subscriptions')
      .select('status')
      .where('contact_id', '=', contactId)
      .execute();
    expect(before.map((r) => r.status)).not.toContain('active');

    const lastButtons = fake.callsOf('sendMessage').at(-1)?.body.reply_markup as {
      inline_keyboard: Array<Array<{ text: string }>>;
    };
    const yes = lastButtons.inline_keyboard.flat().find((b) => /^(Ja|Yes)/.test(b.text));
    expect(yes, 'a yes button after the consent text').toBeDefined();
    anna.press(yes!.text);
    await anna.replies();

    const ledger = await db
      .selectFrom('newsletter_consent_ledger')
      .select(['action', 'text'])
      .where('contact_id', '=', contactId)
      .orderBy('created_at')
      .execute();
    expect(ledger.map((row) => row.action)).toEqual(['requested', 'confirmed']);
    // The ledger keeps the exact words the customer saw and agreed to.
    const agreedTo = ledger[1]?.text ?? '';
    expect(agreedTo).toContain('STOP');
    for (const line of agreedTo.split('\n').filter(Boolean)) expect(consentAsk).toContain(line);

    anna.say('STOP');
    const stop = await anna.replies();
    expect(stop).toHaveLength(1);
    const after = await db
      .selectFrom('newsletter_subscriptions')
      .select('status')
      .where('contact_id', '=', contactId)
      .execute();
    expect(after.map((r) => r.status)).toEqual(['unsubscribed']);
  });

  it('lists events, sets a reminder and hands out a personal referral link', async () => {
    const ben = new TelegramCustomer(fake, 5002, { first_name: 'Ben', language_code: 'de' });
    ben.say('events');
    const list = await ben.replies();
    const withEvents = list.find((m) => m.buttons.length > 1);
    expect(withEvents, 'the event list offers one button per event').toBeDefined();
    const upcoming = withEvents!.buttons.find((b) => b.text.includes('Weihnachtsmarkt'));
    expect(upcoming).toBeDefined();
    ben.press(upcoming!.text);
    const detail = await ben.replies();
    expect(detail.map((m) => m.text).join('\n')).toContain('Weihnachtsmarkt');
    const remind = detail.flatMap((m) => m.buttons).find((b) => /Erinner/.test(b.text));
    expect(remind).toBeDefined();
    ben.press(remind!.text);
    await ben.replies();
    const contactId = await contactIdOf(5002);
    const reminders = await running!.plausch.store.db
      .withTables<EventTables>()
      .selectFrom('event_reminders')
      .select('id')
      .where('contact_id', '=', contactId)
      .execute();
    expect(reminders.length).toBeGreaterThan(0);

    ben.say('freunde werben');
    const share = await ben.replyText({ atLeast: 2 });
    expect(share).toMatch(/\/r\/[A-Za-z0-9]+/);
    expect(share).toContain('https://t.me/bohnenglueck_bot?start=ref_');
    expect(fake.callsOf('sendPhoto').length, 'the QR code is sent as an image').toBeGreaterThan(0);
  });

  it('never sends a topic message to a contact without confirmed consent, whatever queued it', async () => {
    const clara = new TelegramCustomer(fake, 5003, { first_name: 'Clara', language_code: 'de' });
    clara.say('hallo');
    await clara.replies();
    const contactId = await contactIdOf(5003);
    const sendsBefore = fake.callsOf('sendMessage').length;
    const [rowId] = await enqueueOutbound(running!.plausch.store.db, [
      {
        contactId,
        conversationId: null,
        channel: 'telegram',
        message: { text: 'Neue Röstung!' },
        purpose: 'broadcast',
        topic: 'roast-news',
      },
    ]);
    const deadline = Date.now() + 15_000;
    let status = 'queued';
    while (Date.now() < deadline && (status === 'queued' || status === 'sending')) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      status = (
        await running!.plausch.store.db
          .selectFrom('outbox')
          .select('status')
          .where('id', '=', rowId!)
          .executeTakeFirstOrThrow()
      ).status;
    }
    expect(status).toBe('cancelled');
    expect(fake.callsOf('sendMessage').length).toBe(sendsBefore);
  });

  it('keeps a conversation where it stood across a restart', async () => {
    const dora = new TelegramCustomer(fake, 5004, { first_name: 'Dora', language_code: 'de' });
    dora.say('newsletter');
    const topics = await dora.replies();
    expect(topics.flatMap((m) => m.buttons).map((b) => b.text)).toContain('Röst-News monatlich');

    await running!.stop();
    running = await startPlausch({ store: await database.open(), telegramApiRoot: fake.apiRoot });

    // A typed "1" only makes sense in the waiting step the conversation was in before the restart.
    dora.say('1');
    expect(await dora.replyText()).toContain('STOP');
  });
});
