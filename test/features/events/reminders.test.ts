import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApiEvent, patchApiEvent } from '../../../src/features/events/event-service.js';
import { createEventsFeature, type EventsFeature } from '../../../src/features/events/index.js';
import { deliverDueReminders } from '../../../src/features/events/reminder-scheduler.js';
import { eventTemplates } from '../../../src/features/events/whatsapp-template.js';
import { createNewsletterFeature } from '../../../src/features/newsletter/index.js';
import type { Store } from '../../../src/store/database.js';
import {
  createTestDatabase,
  dialectsUnderTest,
  notePostgresSkipped,
  type TestStoreHandle,
} from '../../support/stores.js';
import { actionContext, featureContext, insertContact, runAction, TestClock } from '../newsletter/support.js';

notePostgresSkipped();

const links = (id: string) => ({ ics: `https://chat.bohnenglueck.example/events/${id}.ics` });

describe.each(dialectsUnderTest)('event reminders on %s', (dialect) => {
  let handle: TestStoreHandle;
  let store: Store;
  let clock: TestClock;
  let feature: EventsFeature;
  let eventsDir: string;

  beforeEach(async () => {
    handle = await createTestDatabase(dialect);
    store = await handle.open();
    clock = new TestClock(new Date('2027-03-20T12:00:00Z'));
    eventsDir = mkdtempSync(join(tmpdir(), 'plausch-events-'));
    feature = createEventsFeature(featureContext(store, clock), { eventsDir });
  });
  afterEach(async () => {
    await handle.dispose();
    rmSync(eventsDir, { recursive: true, force: true });
  });

  const deps = () => ({ db: feature.db, links });
  const createEvent = (id: string, start: string, extra: Record<string, unknown> = {}) =>
    createApiEvent(
      deps(),
      {
        id,
        title: { de: 'Verkostung', en: 'Tasting' },
        start,
        time_zone: 'Europe/Berlin',
        reminders: ['P1D', 'PT1H'],
        status: 'scheduled',
        place: 'Lindenstraße 12',
        ...extra,
      },
      clock.now().getTime(),
    );
  const reminders = (eventId: string) =>
    feature.db
      .selectFrom('event_reminders')
      .selectAll()
      .where('event_id', '=', eventId)
      .orderBy('contact_id')
      .orderBy('due_at')
      .execute();
  const outbox = () => store.db.selectFrom('outbox').selectAll().orderBy('id').execute();
  const remind = async (contact: Awaited<ReturnType<typeof insertContact>>, event: string) =>
    (
      await runAction(
        feature.actions,
        'events.remind',
        { event },
        actionContext(contact, clock.now(), 'events.remind'),
      )
    ).outcome;

  it('schedules reminders at the right UTC instants across both DST changes', async () => {
    const contact = await insertContact(store);
    // Summer time starts in Berlin on 2027-03-28 at 02:00; it ends on 2027-10-31 at 03:00.
    await createEvent('spring', '2027-03-28T19:00');
    await createEvent('autumn', '2027-10-31T19:00');
    expect(await remind(contact, 'spring')).toBe('scheduled');
    expect(await remind(contact, 'autumn')).toBe('scheduled');
    const iso = (rows: { offset: string; due_at: number }[]) =>
      Object.fromEntries(rows.map((r) => [r.offset, new Date(r.due_at).toISOString()]));
    // "One day before" is the same wall-clock time the day before: 23 hours in spring, 25 in autumn.
    expect(iso(await reminders('spring'))).toEqual({
      P1D: '2027-03-27T18:00:00.000Z',
      PT1H: '2027-03-28T16:00:00.000Z',
    });
    expect(iso(await reminders('autumn'))).toEqual({
      P1D: '2027-10-30T17:00:00.000Z',
      PT1H: '2027-10-31T17:00:00.000Z',
    });
    expect(await remind(contact, 'spring')).toBe('already');
    expect(await remind(contact, 'nope')).toBe('not_found');
  });

  it('sends each reminder once, late ones only before the start, and never again after a restart', async () => {
    const de = await insertContact(store, { locale: 'de' });
    const en = await insertContact(store, { locale: 'en', channel: 'whatsapp-cloud' });
    await createEvent('tasting', '2027-03-28T19:00');
    await remind(de, 'tasting');
    await remind(en, 'tasting');

    clock.set('2027-03-27T18:00:00Z');
    expect(await feature.runReminders()).toEqual({ sent: 2, skipped: 0, cancelled: 0 });
    expect(await feature.runReminders()).toEqual({ sent: 0, skipped: 0, cancelled: 0 });
    const rows = await outbox();
    expect(rows.map((r) => [r.contact_id, r.purpose, r.topic, r.source_id, r.channel])).toEqual([
      [de.id, 'reminder', null, 'event:tasting', 'telegram'],
      [en.id, 'reminder', null, 'event:tasting', 'whatsapp-cloud'],
    ]);
    expect(JSON.parse(rows[0]!.message).text).toBe(
      'Erinnerung: „Verkostung“ beginnt in 23 Stunden.\nSo., 28. März 2027, 19:00 Uhr\nOrt: Lindenstraße 12',
    );
    expect(JSON.parse(rows[1]!.message).text).toMatch(
      /^Reminder: “Tasting” starts in 23 hours\.\nSun, March 28, 2027, 7:00 PM/,
    );

    // Another event starting at 18:30 whose 15-minute reminder falls into the downtime as well.
    const late = await insertContact(store);
    await createEvent('brew', '2027-03-28T18:30', { reminders: ['PT15M'] });
    await remind(late, 'brew');

    // Down from before the one-hour reminder until 10 minutes before the start: it still goes out, late;
    // the brewing class has started by then, so its reminder is skipped with a reason.
    clock.set('2027-03-28T16:50:00Z');
    const restarted = createEventsFeature(featureContext(await handle.open(), clock), { eventsDir });
    expect(await restarted.runReminders()).toEqual({ sent: 2, skipped: 1, cancelled: 0 });
    expect(await restarted.runReminders()).toEqual({ sent: 0, skipped: 0, cancelled: 0 });
    expect(await outbox()).toHaveLength(4);
    const [skipped] = await reminders('brew');
    expect([skipped?.status, skipped?.reason]).toEqual([
      'skipped',
      'the event had already started when the reminder could be sent',
    ]);
  });

  it('gives WhatsApp Cloud reminders and change notices the template named under use: (event fields filled in)', async () => {
    const ctx = featureContext(store, clock);
    const newsletter = createNewsletterFeature(ctx);
    const withTemplates = createEventsFeature(ctx, { eventsDir, newsletter });
    const wa = await insertContact(store, { locale: 'en', channel: 'whatsapp-cloud' });
    const tg = await insertContact(store, { locale: 'de' });
    await createApiEvent(
      { db: withTemplates.db, links },
      {
        id: 'tasting',
        title: { de: 'Verkostung', en: 'Tasting' },
        start: '2027-03-28T19:00',
        time_zone: 'Europe/Berlin',
        reminders: ['P1D'],
        status: 'scheduled',
        place: 'Lindenstraße 12',
      },
      clock.now().getTime(),
    );
    for (const c of [wa, tg]) {
      await runAction(
        withTemplates.actions,
        'events.remind',
        { event: 'tasting' },
        actionContext(c, clock.now(), 'events.remind'),
      );
    }
    clock.set('2027-03-27T18:00:00Z');
    expect((await withTemplates.runReminders()).sent).toBe(2);
    const messageOf = async (contactId: string) =>
      (await outbox()).filter((r) => r.contact_id === contactId).map((r) => JSON.parse(r.message));
    const [reminder] = await messageOf(wa.id);
    expect(reminder.text).toMatch(/^Reminder: “Tasting” starts in 23 hours/);
    expect(reminder.template).toEqual({
      name: 'event_reminder',
      language: 'en',
      // No first name: the fallback; the start in the contact's language.
      parameters: ['coffee friend', 'Tasting', 'Sun, March 28, 2027, 7:00 PM', 'Lindenstraße 12'],
    });
    expect((await messageOf(tg.id))[0].template).toBeUndefined();

    // The event moves: the notice carries the change template.
    const templateFor = eventTemplates(
      () => newsletter.templates(),
      () => 'de',
    );
    const { change } = await patchApiEvent(
      { db: withTemplates.db, links, templateFor },
      'tasting',
      { start: '2027-04-03T18:00' },
      clock.now().getTime(),
    );
    expect(change.notified).toBe(2);
    const notice = (await messageOf(wa.id)).at(-1);
    expect(notice.text).toMatch(/^Change of date/);
    expect(notice.template).toEqual({
      name: 'event_change',
      language: 'en',
      parameters: ['coffee friend', 'Tasting'],
    });
    expect((await messageOf(tg.id)).at(-1).template).toBeUndefined();
  });

  it('moves reminders with the event and tells everyone who asked', async () => {
    const a = await insertContact(store);
    const b = await insertContact(store, { locale: 'en' });
    await createEvent('tasting', '2027-03-28T19:00');
    await remind(a, 'tasting');
    await remind(b, 'tasting');
    // B's day-before reminder is already queued but not yet sent when the event moves.
    clock.set('2027-03-27T18:00:00Z');
    await feature.runReminders();
    expect(await outbox()).toHaveLength(2);

    clock.set('2027-03-27T20:00:00Z');
    const { change } = await patchApiEvent(
      deps(),
      'tasting',
      { start: '2027-04-03T18:00' },
      clock.now().getTime(),
    );
    expect(change).toEqual({ notice: 'moved', notified: 2 });
    const rows = await outbox();
    expect(rows.slice(0, 2).map((r) => r.status)).toEqual(['cancelled', 'cancelled']);
    const notices = rows.slice(2);
    expect(notices.map((r) => [r.purpose, r.topic, r.source_id, r.status])).toEqual([
      ['reminder', null, 'event:tasting', 'queued'],
      ['reminder', null, 'event:tasting', 'queued'],
    ]);
    const texts = notices.map((r) => JSON.parse(r.message).text as string).sort();
    expect(texts[0]).toBe(
      'Change of date: “Tasting” has been moved to Sat, April 3, 2027, 6:00 PM.\nPlace: Lindenstraße 12',
    );
    expect(texts[1]).toBe(
      'Terminänderung: „Verkostung“ wurde verschoben auf Sa., 3. April 2027, 18:00 Uhr.\nOrt: Lindenstraße 12',
    );
    const retimed = await reminders('tasting');
    expect(retimed.map((r) => [r.offset, r.status, new Date(r.due_at).toISOString()])).toEqual([
      ['P1D', 'pending', '2027-04-02T16:00:00.000Z'],
      ['PT1H', 'pending', '2027-04-03T15:00:00.000Z'],
      ['P1D', 'pending', '2027-04-02T16:00:00.000Z'],
      ['PT1H', 'pending', '2027-04-03T15:00:00.000Z'],
    ]);
  });

  it('cancels reminders of a cancelled event and tells everyone who asked', async () => {
    const a = await insertContact(store);
    const forgetful = await insertContact(store);
    await createEvent('tasting', '2027-03-28T19:00');
    await remind(a, 'tasting');
    await remind(forgetful, 'tasting');
    const forgot = await runAction(
      feature.actions,
      'events.forget',
      { event: 'tasting' },
      actionContext(forgetful, clock.now()),
    );
    expect(forgot.outcome).toBe('cancelled');

    const { change } = await patchApiEvent(deps(), 'tasting', { status: 'cancelled' }, clock.now().getTime());
    expect(change).toEqual({ notice: 'cancelled', notified: 1 });
    const [notice] = await outbox();
    expect(notice?.contact_id).toBe(a.id);
    expect(JSON.parse(notice!.message).text).toBe(
      'Leider abgesagt: „Verkostung“ am So., 28. März 2027, 19:00 Uhr findet nicht statt. Deine Erinnerungen dafür haben wir gelöscht.',
    );
    const statuses = (await reminders('tasting'))
      .map((r) => `${r.contact_id === a.id ? 'a' : 'f'}:${r.status}`)
      .sort();
    expect(statuses).toEqual(['a:cancelled', 'a:cancelled', 'f:forgotten', 'f:forgotten']);
    clock.set('2027-03-28T18:00:00Z');
    expect(await feature.runReminders()).toEqual({ sent: 0, skipped: 0, cancelled: 0 });
    expect(await remind(a, 'tasting')).toBe('not_found');
  });

  it('applies moves and cancellations made in flows/events on sync', async () => {
    const file = join(eventsDir, 'spring.yaml');
    const yaml = (start: string, status = 'scheduled') =>
      `events:\n  - id: open-day\n    title: { de: Tag der offenen Rösterei, en: Open roastery day }\n    start: ${start}\n    place: Lindenstraße 12\n    status: ${status}\n`;
    writeFileSync(file, yaml('2027-03-27T10:00'));
    expect((await feature.syncDefinitions()).created).toEqual(['open-day']);
    const contact = await insertContact(store);
    await remind(contact, 'open-day');
    expect((await feature.syncDefinitions()).unchanged).toBe(1);
    expect(await outbox()).toHaveLength(0);

    writeFileSync(file, yaml('2027-03-27T11:00'));
    expect((await feature.syncDefinitions()).updated).toEqual(['open-day']);
    expect(JSON.parse((await outbox())[0]!.message).text).toContain(
      'wurde verschoben auf Sa., 27. März 2027, 11:00 Uhr',
    );

    writeFileSync(file, yaml('2027-03-27T11:00', 'cancelled'));
    await feature.syncDefinitions();
    const messages = (await outbox()).map((r) => JSON.parse(r.message).text as string);
    expect(messages).toHaveLength(2);
    expect(messages[1]).toMatch(/^Leider abgesagt/);
    await expect(patchApiEvent(deps(), 'open-day', { place: 'x' }, clock.now().getTime())).rejects.toThrow(
      /is defined in .*spring\.yaml; change it there/,
    );

    writeFileSync(file, 'events:\n  - id: Open Day\n    start: tomorrow\n');
    await expect(feature.syncDefinitions()).rejects.toThrow(
      /spring\.yaml:2:9: events\.0\.id: an event id is lowercase/,
    );
  });

  it.runIf(dialect === 'postgres')(
    'lets two schedulers in parallel claim each reminder exactly once',
    async () => {
      await createEvent('tasting', '2027-03-28T19:00', { reminders: ['P1D'] });
      const people = [];
      for (let i = 0; i < 60; i++) people.push(await insertContact(store));
      for (const person of people) await remind(person, 'tasting');
      clock.set('2027-03-27T18:30:00Z');
      const second = await handle.open();
      const instances = [store, second].map((s) =>
        createEventsFeature(featureContext(s, clock), { eventsDir, reminderBatchSize: 7 }),
      );
      const direct = (s: Store) =>
        deliverDueReminders(s.db.withTables(), clock.now(), { dialect: 'postgres', batchSize: 7, links });
      const results = await Promise.all([
        instances[0]!.runReminders(),
        instances[1]!.runReminders(),
        direct(store),
        direct(second),
      ]);
      expect(results.reduce((n, r) => n + r.sent, 0)).toBe(60);
      const rows = await outbox();
      expect(rows).toHaveLength(60);
      expect(new Set(rows.map((r) => r.contact_id)).size).toBe(60);
      expect((await reminders('tasting')).every((r) => r.status === 'sent' && r.outbox_id !== null)).toBe(
        true,
      );
    },
  );
});
