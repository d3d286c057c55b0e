/**
 * The handoff feature: settings, office hours, phrase/complaint detection, and the state machine through the
 * real runtime and sample flows (queued → agent → returned/closed; told once; silent while owned; after hours).
 */
import { DateTime } from 'luxon';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { loadComplaintExamples, parseComplaintExamples } from '../../../src/features/handoff/complaints.js';
import { createHandoffFeature } from '../../../src/features/handoff/feature.js';
import {
  formatOpening,
  isWithinOfficeHours,
  nextOpening,
} from '../../../src/features/handoff/office-hours.js';
import { closeConversation, takeOver } from '../../../src/features/handoff/sessions.js';
import { loadHandoffSettings, parseHandoffSettings } from '../../../src/features/handoff/settings.js';
import { silentLogger } from '../../../src/logger.js';
import { SourceError } from '../../../src/yaml/validated-yaml.js';
import {
  addStaff,
  ConsoleClient,
  type ConsoleInstance,
  officeHoursClock,
  startConsoleInstance,
} from '../../console/support.js';
import { inbound, waitFor } from '../../runtime/helpers.js';
import {
  createTestDatabase,
  dialectsUnderTest,
  notePostgresSkipped,
  type TestStoreHandle,
} from '../../support/stores.js';

notePostgresSkipped();

const settings = loadHandoffSettings('flows/handoff/settings.yaml');
const berlin = (iso: string) => DateTime.fromISO(iso, { zone: 'Europe/Berlin' }).toJSDate();

describe('handoff settings and office hours', () => {
  it('reports settings problems with file, line and column', () => {
    const text =
      'office_hours:\n  time_zone: Mars/Olympus\n  weekly: { mon: [["17:00", "09:00"]] }\ntexts: {}\n';
    try {
      parseHandoffSettings(text, 'handoff/settings.yaml');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(SourceError);
      const problems = (error as SourceError).message;
      expect(problems).toContain('handoff/settings.yaml:2:14: office_hours.time_zone: not an IANA time zone');
      expect(problems).toMatch(
        /handoff\/settings\.yaml:3:\d+: office_hours\.weekly\.mon\.0: the opening time must come before/,
      );
      expect(problems).toContain('texts.wait_minutes');
    }
  });

  it('knows office hours, weekends, holidays and the next opening', () => {
    const hours = settings.office_hours;
    expect(isWithinOfficeHours(hours, berlin('2026-06-10T10:00'))).toBe(true); // Wednesday
    expect(isWithinOfficeHours(hours, berlin('2026-06-10T17:00'))).toBe(false);
    expect(isWithinOfficeHours(hours, berlin('2026-06-13T11:00'))).toBe(false); // Saturday
    expect(isWithinOfficeHours(hours, berlin('2026-05-01T11:00'))).toBe(false); // holiday
    expect(nextOpening(hours, berlin('2026-06-12T18:30'))).toEqual(berlin('2026-06-15T09:00'));
    expect(nextOpening(hours, berlin('2026-04-30T18:00'))).toEqual(berlin('2026-05-04T09:00')); // over the 1 May holiday
    expect(nextOpening(hours, berlin('2026-06-10T07:00'))).toEqual(berlin('2026-06-10T09:00'));
    expect(formatOpening(berlin('2026-06-15T09:00'), hours, 'de')).toBe('Montag ab 9:00 Uhr');
    expect(formatOpening(berlin('2026-06-15T09:00'), hours, 'en')).toBe('Monday from 9:00 AM');
  });

  it('tells complaints and requests for a person from other messages', () => {
    const feature = createHandoffFeature(
      {
        store: null as never,
        config: loadConfig({ DATABASE_URL: '' }),
        logger: silentLogger,
        now: () => new Date(),
      },
      { settings },
    );
    expect(feature.classify('Ich möchte mit einem Menschen sprechen', 'de')).toBe('customer_request');
    expect(feature.classify('MITARBEITER bitte!', 'de')).toBe('customer_request');
    expect(feature.classify('can I talk to a human', 'en')).toBe('customer_request');
    expect(feature.classify('Das ist eine Frechheit', 'de')).toBe('complaint');
    expect(feature.classify('Paket kaputt angekommen', 'de')).toBe('complaint');
    expect(feature.classify('Wann habt ihr geöffnet?', 'de')).toBeNull();
    // Whole words only: "agentur" is not "agent".
    expect(feature.classify('Eure Agentur', 'de')).toBeNull();
  });

  it('recognises complaints by meaning, not by a word list', () => {
    const feature = createHandoffFeature(
      {
        store: null as never,
        config: loadConfig({ DATABASE_URL: '' }),
        logger: silentLogger,
        now: () => new Date(),
      },
      {
        settings: { ...settings, complaint_words: {} },
        complaints: loadComplaintExamples('flows/handoff/complaints.yaml'),
      },
    );
    const classify = (text: string, locale = 'de') => feature.classify(text, locale);
    expect(classify('Das ist doch unverschämt, meine Bestellung ist seit zwei Wochen nicht da!')).toBe(
      'complaint',
    );
    expect(classify('Ich bin echt enttäuscht von der Lieferung')).toBe('complaint');
    expect(classify("I've been waiting two weeks for my coffee, this is outrageous", 'en')).toBe('complaint');
    expect(classify('Wie lange dauert der Versand nach Österreich?')).toBeNull();
    expect(classify('Meine Mail ist Anna.Schmidt@Beispiel.de')).toBeNull();
    expect(classify('Paket?')).toBeNull();
  });

  it('rejects a broken complaint examples file with its position', () => {
    expect(() =>
      parseComplaintExamples('complaint:\n  de: []\nother: {}\n', 'flows/handoff/complaints.yaml'),
    ).toThrow(/flows\/handoff\/complaints\.yaml:2:/);
  });
});

describe.each(dialectsUnderTest)('handoff state machine on %s', (dialect) => {
  let handle: TestStoreHandle | undefined;
  let instance: ConsoleInstance | undefined;
  afterEach(async () => {
    await instance?.stop();
    await handle?.dispose();
    instance = undefined;
    handle = undefined;
  });

  async function start(now = officeHoursClock()) {
    handle = await createTestDatabase(dialect);
    const store = await handle.open();
    instance = await startConsoleInstance(store, { now });
    return instance;
  }

  /** The customer writes; resolves once the turn ran and everything it queued went out to the channel fake. */
  async function say(i: ConsoleInstance, customer: string, text: string) {
    await i.plausch.runtime.accept(inbound(customer, text));
    await i.plausch.runtime.whenIdle();
    await waitFor(async () => {
      const pending = await i.plausch.store.db
        .selectFrom('outbox')
        .select('id')
        .where('status', 'in', ['queued', 'sending'])
        .execute();
      return pending.length === 0;
    }, 'the outbox to drain');
  }

  async function conversationOf(i: ConsoleInstance, customer: string) {
    const contact = await i.plausch.store.db
      .selectFrom('contacts')
      .select('id')
      .where('channel_contact_id', '=', customer)
      .executeTakeFirstOrThrow();
    return i.plausch.store.db
      .selectFrom('conversations')
      .selectAll()
      .where('contact_id', '=', contact.id)
      .executeTakeFirstOrThrow();
  }

  it('queues on request, tells the customer once, stays silent while owned, and the bot answers after the return', async () => {
    const i = await start();
    await say(i, 'k1', 'Hallo');
    await say(i, 'k1', 'Ich will mit einem Menschen sprechen');
    const queuedTexts = i.adapter.textsTo('k1').length;
    expect((await conversationOf(i, 'k1')).status).toBe('queued');
    expect(i.adapter.textsTo('k1').join('\n')).toContain('ich habe unser Team informiert');
    // No minutes promised: too few past handoffs to know the wait.
    expect(i.adapter.textsTo('k1').join('\n')).not.toMatch(/\d+ Minuten/);

    // While queued: ordinary messages get no bot answer; asking again gets "already waiting" once.
    await say(i, 'k1', 'Hallo? Ist da wer?');
    await say(i, 'k1', 'mitarbeiter');
    await say(i, 'k1', 'MITARBEITER!!!');
    await waitFor(() => i.adapter.textsTo('k1').length === queuedTexts + 1, 'the already-waiting notice');
    expect(i.adapter.textsTo('k1').at(-1)).toContain('schon in der Warteschlange');

    // An agent takes over; still silent for the bot.
    const conversation = await conversationOf(i, 'k1');
    const agent = await addStaff(i.plausch.store, 'anna@bohnenglueck.de', 'agent', 'service', 'Anna');
    await takeOver(
      i.plausch.store,
      conversation.id,
      { id: agent.id, name: 'Anna', team: 'service' },
      i.now(),
    );
    await say(i, 'k1', 'Hallo');
    expect(i.adapter.textsTo('k1')).toHaveLength(queuedTexts + 1);

    // Closed: the next message reopens the conversation for the bot, which answers.
    await closeConversation(i.plausch.store, conversation.id, { id: agent.id, name: 'Anna' }, i.now());
    await say(i, 'k1', 'Hallo');
    await waitFor(() => i.adapter.textsTo('k1').length > queuedTexts + 1, 'the bot answering again');
    expect((await conversationOf(i, 'k1')).status).toBe('bot');
    const sessions = await i.plausch.store.db
      .selectFrom('handoff_sessions' as never)
      .selectAll()
      .execute();
    expect(sessions).toHaveLength(1);
    expect(sessions[0]).toMatchObject({
      state: 'closed',
      reason: 'customer_request',
      team: 'service',
      agent_id: agent.id,
    });
  });

  it('after hours tells the customer when the team opens, in their language', async () => {
    const saturdayEvening =
      DateTime.fromISO('2026-06-13T20:00', { zone: 'Europe/Berlin' }).toMillis() - Date.now();
    const i = await start(() => new Date(Date.now() + saturdayEvening));
    await say(i, 'k2', 'Hallo');
    await say(i, 'k2', 'Das ist eine Frechheit, Paket kaputt angekommen');
    const texts = i.adapter.textsTo('k2').join('\n');
    expect(texts).toContain('tut mir wirklich leid');
    expect(texts).toContain('am Montag ab 9:00 Uhr');
    expect((await conversationOf(i, 'k2')).status).toBe('queued');
    const session = (await i.plausch.store.db
      .selectFrom('handoff_sessions' as never)
      .selectAll()
      .executeTakeFirstOrThrow()) as { reason: string; after_hours: number };
    expect(session).toMatchObject({ reason: 'complaint', after_hours: 1 });
  });

  it('promises the median wait of recent handoffs once there are enough', async () => {
    const i = await start();
    const db = i.plausch.store.db.withTables<{
      handoff_sessions: {
        id: string;
        conversation_id: string;
        contact_id: string;
        channel: string;
        reason: string;
        team: string | null;
        state: string;
        agent_id: string | null;
        queued_at: number;
        assigned_at: number | null;
        first_response_at: number | null;
        closed_at: number | null;
        after_hours: number;
        waiting_notice_sent: number;
      };
    }>();
    const t = i.now().getTime() - 3_600_000;
    for (const [index, minutes] of [4, 6, 8, 10, 30].entries()) {
      await db
        .insertInto('handoff_sessions')
        .values({
          id: `old-${index}`,
          conversation_id: `old-${index}`,
          contact_id: 'x',
          channel: 'telegram',
          reason: 'customer_request',
          team: 'service',
          state: 'closed',
          agent_id: 'a',
          queued_at: t,
          assigned_at: t + minutes * 60_000,
          first_response_at: null,
          closed_at: t + 3_000_000,
          after_hours: 0,
          waiting_notice_sent: 0,
        })
        .execute();
    }
    await say(i, 'k3', 'Hallo');
    await say(i, 'k3', 'mitarbeiter');
    expect(i.adapter.textsTo('k3').join('\n')).toContain('meist in etwa 8 Minuten');
  });

  it('ends the sessions of a disabled account and refuses its sign-in', async () => {
    const i = await start();
    const user = await addStaff(i.plausch.store, 'ex@bohnenglueck.de', 'agent');
    const client = new ConsoleClient(i.baseUrl);
    expect((await client.login('ex@bohnenglueck.de')).status).toBe(200);
    const { updateUser } = await import('../../../src/console/auth/users.js');
    await updateUser(i.plausch.store.db, user.id, { disabled: true }, new Date());
    expect((await client.request('GET', '/console/api/me')).status).toBe(401);
    expect((await new ConsoleClient(i.baseUrl).login('ex@bohnenglueck.de')).status).toBe(401);
  });
});
