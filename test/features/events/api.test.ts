import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEventsFeature, type EventsFeature } from '../../../src/features/events/index.js';
import { createNewsletterFeature, type NewsletterFeature } from '../../../src/features/newsletter/index.js';
import type { Store } from '../../../src/store/database.js';
import {
  createTestDatabase,
  dialectsUnderTest,
  notePostgresSkipped,
  type TestStoreHandle,
} from '../../support/stores.js';
import {
  actionContext,
  api,
  featureContext,
  insertContact,
  runAction,
  startServer,
  TestClock,
  type TestServer,
} from '../newsletter/support.js';

notePostgresSkipped();

const tasting = {
  id: 'tasting-api',
  title: { de: 'Verkostungsabend', en: 'Tasting evening' },
  description: { de: 'Sechs Kaffees aus Ostafrika.', en: 'Six coffees from East Africa.' },
  start: '2026-12-10T19:00',
  end: '2026-12-10T21:00',
  place: 'Lindenstraße 12, Leipzig',
  topic: 'events',
};

describe.each(dialectsUnderTest)('events API on %s', (dialect) => {
  let handle: TestStoreHandle;
  let store: Store;
  let clock: TestClock;
  let events: EventsFeature;
  let newsletter: NewsletterFeature;
  let server: TestServer;

  beforeEach(async () => {
    handle = await createTestDatabase(dialect);
    store = await handle.open();
    clock = new TestClock(new Date('2026-12-01T10:00:00Z'));
    const ctx = featureContext(store, clock);
    newsletter = createNewsletterFeature(ctx);
    events = createEventsFeature(ctx, { newsletter });
    await events.syncDefinitions();
    server = await startServer([newsletter.apiRouter!, events.apiRouter!], [events.publicRouter!]);
  });
  afterEach(async () => {
    await server.close();
    await handle.dispose();
  });

  const eventCount = async () =>
    Number(
      (
        await events.db
          .selectFrom('events')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('answers 401 without a valid token', async () => {
    expect((await api(server, 'GET', '/events', undefined, '')).status).toBe(401);
    expect((await api(server, 'POST', '/events', tasting, 'wrong')).status).toBe(401);
    expect(await eventCount()).toBe(6);
  });

  it('lists the sample events from flows/events, upcoming first', async () => {
    const upcoming = await api(server, 'GET', '/events');
    expect(upcoming.status).toBe(200);
    const ids = (upcoming.json.items as { id: string }[]).map((e) => e.id);
    expect(ids).toEqual([
      'tasting-2026-12',
      'xmas-market-2026',
      'latte-art-2027-01',
      'brew-class-2027-02',
      'open-roastery-2027-03',
    ]);
    const all = await api(server, 'GET', '/events?include_past=true&limit=2');
    expect([all.json.total, (all.json.items as unknown[]).length]).toEqual([6, 2]);
    const yamlEvent = await api(server, 'PATCH', '/events/tasting-2026-12', { place: 'anderswo' });
    expect(yamlEvent.status).toBe(409);
    expect(yamlEvent.json.error).toBe(
      'event tasting-2026-12 is defined in events/winter-2026.yaml; change it there (the file wins on reload)',
    );
  });

  it('creates, shows, changes and deletes an event; bad input writes nothing', async () => {
    const bad = await api(server, 'POST', '/events', {
      ...tasting,
      start: '10.12.2026 19 Uhr',
      time_zone: 'Mars/Olympus',
      reminders: ['1 day'],
      extra: 1,
    });
    expect(bad.status).toBe(400);
    const paths = (bad.json.details as { path: string }[]).map((d) => d.path).sort();
    expect(paths).toEqual(['', 'reminders.0', 'start', 'time_zone']);
    expect(
      (await api(server, 'POST', '/events', { ...tasting, end: '2026-12-10T18:00' })).json.details,
    ).toEqual([{ path: 'end', message: 'end must be after start' }]);
    expect((await api(server, 'POST', '/events', { ...tasting, topic: 'gossip' })).status).toBe(400);
    expect((await api(server, 'POST', '/events', '{"title":')).status).toBe(400);
    expect(await eventCount()).toBe(6);

    const created = await api(server, 'POST', '/events', tasting);
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({
      id: 'tasting-api',
      starts_at: '2026-12-10T18:00:00.000Z',
      time_zone: 'Europe/Berlin',
      reminders: ['P1D', 'PT1H'],
      editable: true,
      ics_url: 'https://chat.bohnenglueck.example/events/tasting-api.ics',
    });
    expect((await api(server, 'POST', '/events', tasting)).status).toBe(409);
    const generated = await api(server, 'POST', '/events', { title: 'Cupping', start: '2027-01-05T18:00' });
    expect(generated.status).toBe(201);
    expect(String(generated.json.id).length).toBeLessThanOrEqual(24);

    const contact = await insertContact(store);
    await runAction(
      events.actions,
      'events.remind',
      { event: 'tasting-api' },
      actionContext(contact, clock.now()),
    );
    const counts = await api(server, 'GET', '/events/tasting-api/reminders');
    expect(counts.json).toEqual({
      eventId: 'tasting-api',
      people: 1,
      byStatus: { pending: 2 },
      byOffset: { P1D: { pending: 1 }, PT1H: { pending: 1 } },
    });

    expect((await api(server, 'PATCH', '/events/tasting-api', { start: 'soon' })).status).toBe(400);
    expect((await api(server, 'PATCH', '/events/tasting-api', {})).status).toBe(400);
    const moved = await api(server, 'PATCH', '/events/tasting-api', { start: '2026-12-11T19:00', end: null });
    expect(moved.status).toBe(200);
    expect(moved.json).toMatchObject({
      starts_at: '2026-12-11T18:00:00.000Z',
      end: null,
      change: { notice: 'moved', notified: 1 },
    });

    expect((await api(server, 'DELETE', '/events/tasting-api')).status).toBe(204);
    expect((await api(server, 'GET', '/events/tasting-api')).status).toBe(404);
    const texts = (await store.db.selectFrom('outbox').select('message').orderBy('id').execute()).map(
      (r) => JSON.parse(r.message).text as string,
    );
    expect(texts).toEqual([
      expect.stringMatching(
        /^Terminänderung: „Verkostungsabend“ wurde verschoben auf Fr\., 11\. Dezember 2026, 19:00 Uhr\./,
      ),
      expect.stringMatching(/^Leider abgesagt: „Verkostungsabend“ am Fr\., 11\. Dezember 2026/),
    ]);
  });

  it('serves a valid .ics file in UTC and 404 for unknown events', async () => {
    const response = await fetch(`${server.url}/events/tasting-2026-12.ics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/calendar; charset=utf-8');
    const body = await response.text();
    expect(body).toMatch(/^BEGIN:VCALENDAR\r\n/);
    expect(body).toContain('DTSTART:20261210T180000Z');
    expect(body).toContain('DTEND:20261210T200000Z');
    expect(body).toContain('SUMMARY:Verkostungsabend „Äthiopien & Kenia“');
    expect(body).toContain('UID:tasting-2026-12@chat.bohnenglueck.example');
    expect(body).toMatch(/END:VEVENT\r\nEND:VCALENDAR/);
    const english = await (await fetch(`${server.url}/events/tasting-2026-12.ics?lang=en`)).text();
    expect(english).toContain('SUMMARY:Tasting evening “Ethiopia & Kenya”');
    expect((await fetch(`${server.url}/events/nope.ics`)).status).toBe(404);
    expect((await fetch(`${server.url}/events/tasting-2026-12.txt`)).status).toBe(404);
  });

  it('announces an event to the topic’s subscribers with a remind-me button', async () => {
    const fan = await insertContact(store);
    await runAction(
      newsletter.actions,
      'newsletter.request',
      { topic: 'events' },
      actionContext(fan, clock.now()),
    );
    await runAction(
      newsletter.actions,
      'newsletter.confirm',
      { topic: 'events' },
      actionContext(fan, clock.now()),
    );
    await insertContact(store);

    expect((await api(server, 'POST', '/events/tasting-2026-10/announce', {})).status).toBe(409);
    expect((await api(server, 'POST', '/events/tasting-2026-12/announce', { at: 'morgen' })).status).toBe(
      400,
    );
    const typo = await api(server, 'POST', '/events/tasting-2026-12/announce', {
      whatsappTemplate: 'event_remindr',
    });
    expect(typo.status).toBe(400);
    expect(JSON.stringify(typo.json)).toContain('unknown WhatsApp template');
    const announced = await api(server, 'POST', '/events/tasting-2026-12/announce', {
      whatsappTemplate: 'roast_news_update',
    });
    expect(announced.status).toBe(201);
    expect(
      (announced.json.broadcast as { content: { whatsappTemplate?: string } }).content.whatsappTemplate,
    ).toBe('roast_news_update');
    const broadcast = announced.json.broadcast as {
      id: string;
      topic: string;
      status: string;
      source: string;
    };
    expect([broadcast.topic, broadcast.status, broadcast.source]).toEqual([
      'events',
      'scheduled',
      'event:tasting-2026-12',
    ]);
    await newsletter.runFanOut();
    const rows = await store.db.selectFrom('outbox').selectAll().execute();
    expect(rows.map((r) => [r.contact_id, r.purpose, r.topic, r.source_id])).toEqual([
      [fan.id, 'broadcast', 'events', broadcast.id],
    ]);
    const message = JSON.parse(rows[0]!.message);
    expect(message.text).toMatch(
      /^Einladung: „Verkostungsabend „Äthiopien & Kenia““\nDo\., 10\. Dezember 2026, 19:00 Uhr\nOrt: Rösterei Bohnenglück/,
    );
    expect(message.buttons).toEqual([
      { label: 'Erinnere mich', payload: 'go:events.remind?event=tasting-2026-12' },
      { label: 'In den Kalender', url: 'https://chat.bohnenglueck.example/events/tasting-2026-12.ics' },
    ]);
  });

  it('lists and shows events in the contact’s language through the actions', async () => {
    const contact = await insertContact(store);
    const listed = await runAction(
      events.actions,
      'events.list',
      { limit: 2, detail: 'events.detail' },
      actionContext(contact, clock.now()),
    );
    expect(listed.outcome).toBe('listed');
    expect(listed.messages?.[0]).toEqual({
      text: 'Unsere nächsten Termine:\n• Do., 10. Dezember 2026, 19:00 Uhr – Verkostungsabend „Äthiopien & Kenia“\n• Sa., 19. Dezember 2026, 11:00 Uhr – Bohnenglück am Weihnachtsmarkt',
      buttons: [
        {
          label: '10.12. Verkostungsabend „Äthiopien & Ke…',
          payload: 'go:events.detail?event=tasting-2026-12',
        },
        {
          label: '19.12. Bohnenglück am Weihnachtsmarkt',
          payload: 'go:events.detail?event=xmas-market-2026',
        },
      ],
    });
    for (const button of listed.messages?.[0]?.buttons ?? [])
      expect(Buffer.byteLength(button.payload ?? '')).toBeLessThanOrEqual(64);
    const shown = await runAction(
      events.actions,
      'events.show',
      { event: 'brew-class-2027-02' },
      actionContext({ ...contact, locale: 'en' }, clock.now()),
    );
    expect(shown.vars).toEqual({
      event: 'brew-class-2027-02',
      event_id: 'brew-class-2027-02',
      event_title: 'Online brewing class “Mastering pour-over”',
      event_start: 'Thu, February 4, 2027, 6:30 PM',
    });
    expect(shown.messages?.[0]?.text).toContain('Online: https://bohnenglueck.example/live/handfilter');
    expect(shown.messages?.[0]?.link).toEqual({
      url: 'https://chat.bohnenglueck.example/events/brew-class-2027-02.ics',
      label: 'Add to calendar',
    });
    expect(
      (await runAction(events.actions, 'events.show', { event: 'nope' }, actionContext(contact, clock.now())))
        .outcome,
    ).toBe('not_found');
    expect(
      (
        await runAction(
          events.actions,
          'events.remind',
          { event: 'tasting-2026-10' },
          actionContext(contact, clock.now()),
        )
      ).outcome,
    ).toBe('past');
    expect(
      (
        await runAction(
          events.actions,
          'events.list',
          { topic: 'roast-news' },
          actionContext(contact, clock.now()),
        )
      ).outcome,
    ).toBe('none');
  });
});
