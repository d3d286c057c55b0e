import { afterEach, beforeEach, describe, expect, it } from 'vitest';
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
} from './support.js';

notePostgresSkipped();

const validDraft = {
  topic: 'roast-news',
  name: 'Röstpost Dezember',
  content: {
    text: { de: 'Die Weihnachtsröstung ist da!', en: 'The Christmas roast is here!' },
    buttons: [{ label: { de: 'Zum Shop', en: 'To the shop' }, url: 'https://bohnenglueck.example/shop' }],
  },
  segment: { locales: ['de'] },
};

describe.each(dialectsUnderTest)('newsletter API on %s', (dialect) => {
  let handle: TestStoreHandle;
  let store: Store;
  let clock: TestClock;
  let feature: NewsletterFeature;
  let server: TestServer;

  beforeEach(async () => {
    handle = await createTestDatabase(dialect);
    store = await handle.open();
    clock = new TestClock(new Date('2026-12-01T10:00:00Z'));
    feature = createNewsletterFeature(featureContext(store, clock));
    server = await startServer([feature.apiRouter!]);
  });
  afterEach(async () => {
    await server.close();
    await handle.dispose();
  });

  async function subscriber(locale = 'de') {
    const contact = await insertContact(store, { locale });
    await runAction(
      feature.actions,
      'newsletter.request',
      { topic: 'roast-news' },
      actionContext(contact, clock.now()),
    );
    await runAction(
      feature.actions,
      'newsletter.confirm',
      { topic: 'roast-news' },
      actionContext(contact, clock.now()),
    );
    return contact;
  }
  const broadcastCount = async () =>
    Number(
      (
        await feature.db
          .selectFrom('newsletter_broadcasts')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('answers 401 without a valid token', async () => {
    expect((await api(server, 'GET', '/topics', undefined, '')).status).toBe(401);
    expect((await api(server, 'POST', '/broadcasts', validDraft, 'nope')).status).toBe(401);
    expect(await broadcastCount()).toBe(0);
  });

  it('lists topics with subscriber counts and pages through subscribers', async () => {
    const a = await subscriber();
    await subscriber('en');
    const topics = await api(server, 'GET', '/topics');
    expect(topics.json.topics).toEqual([
      expect.objectContaining({
        id: 'roast-news',
        subscribers: 2,
        name: { de: 'Röst-News', en: 'Roast news' },
      }),
      expect.objectContaining({ id: 'events', subscribers: 0 }),
    ]);
    expect((await api(server, 'POST', '/topics', { id: 'x' })).status).toBe(405);
    const page = await api(server, 'GET', '/topics/roast-news/subscribers?limit=1');
    expect([page.json.count, (page.json.items as unknown[]).length]).toEqual([2, 1]);
    expect((await api(server, 'GET', '/topics/gossip/subscribers')).status).toBe(404);
    expect((await api(server, 'GET', '/topics/roast-news/subscribers?limit=0')).status).toBe(400);

    const withdrawn = await api(server, 'POST', `/contacts/${a.id}/consents`, {
      action: 'unsubscribed',
      topic: 'roast-news',
    });
    expect(withdrawn.json).toEqual({
      unsubscribed: ['roast-news'],
      closedRequests: [],
      cancelledOutboxRows: 0,
    });
    expect(
      (await api(server, 'POST', `/contacts/${a.id}/consents`, { action: 'confirmed', topic: 'roast-news' }))
        .status,
    ).toBe(400);
    expect((await api(server, 'GET', '/topics/roast-news/subscribers')).json.count).toBe(1);
  });

  it('exports a contact’s consents as JSON and CSV', async () => {
    const contact = await subscriber();
    const json = await api(server, 'GET', `/contacts/${contact.id}/consents`);
    expect(json.status).toBe(200);
    expect(json.json.subscriptions).toEqual([{ topic: 'roast-news', status: 'active', channel: 'telegram' }]);
    expect((json.json.entries as { action: string }[]).map((e) => e.action)).toEqual([
      'requested',
      'confirmed',
    ]);

    const csv = await api(server, 'GET', `/contacts/${contact.id}/consents?format=csv`);
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const lines = csv.text.trimEnd().split('\r\n');
    expect(lines[0]).toBe('at,contact_id,channel,topic,action,source,text');
    expect(lines[1]).toMatch(
      new RegExp(
        `^"2026-12-01T10:00:00.000Z","${contact.id}","telegram","roast-news","requested","flow:newsletter.ask","Röst-News: einmal im Monat`,
      ),
    );
    expect((await api(server, 'GET', '/contacts/unknown/consents')).status).toBe(404);
    expect((await api(server, 'GET', `/contacts/${contact.id}/consents?format=pdf`)).status).toBe(400);
  });

  it('refuses bad broadcasts with a clear 400 and writes nothing', async () => {
    const cases: [unknown, string][] = [
      [{ ...validDraft, topic: undefined }, 'topic'],
      [{ ...validDraft, topic: 'gossip' }, 'topic'],
      [{ ...validDraft, content: { text: '' } }, 'content.text'],
      [
        { ...validDraft, content: { text: 'x', buttons: [{ label: 'Los', payload: 'go:bad flow' }] } },
        'content.buttons.0',
      ],
      [
        { ...validDraft, content: { text: 'x', buttons: [{ label: 'Los', url: 'javascript:alert(1)' }] } },
        'content.buttons.0',
      ],
      [{ ...validDraft, segment: { channels: ['fax'] } }, 'segment.channels.0'],
    ];
    for (const [body, path] of cases) {
      const response = await api(server, 'POST', '/broadcasts', body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(JSON.stringify(response.json)).toContain(path);
    }
    expect((await api(server, 'POST', '/broadcasts', 'not json')).status).toBe(400);
    expect(await broadcastCount()).toBe(0);
  });

  it('runs a broadcast through draft, preview, schedule, send and statistics', async () => {
    await subscriber('de');
    await subscriber('de');
    await subscriber('en');
    const created = await api(server, 'POST', '/broadcasts', validDraft);
    expect(created.status).toBe(201);
    const id = created.json.id as string;
    expect(created.json.status).toBe('draft');

    const preview = await api(server, 'POST', `/broadcasts/${id}/preview`);
    expect(preview.json).toEqual({
      recipients: 2,
      byChannel: { telegram: 2 },
      byLocale: { de: 2 },
      delivery: { telegram: { text: 2, template: 0, held: 0 } },
      templateRecipients: [],
    });
    expect((await api(server, 'PATCH', `/broadcasts/${id}`, { segment: {} })).status).toBe(200);
    expect((await api(server, 'POST', `/broadcasts/${id}/preview`)).json.recipients).toBe(3);

    expect(
      (await api(server, 'POST', `/broadcasts/${id}/schedule`, { at: '2026-11-30T10:00:00Z' })).status,
    ).toBe(400);
    expect((await api(server, 'POST', `/broadcasts/${id}/schedule`, { at: 'tomorrow' })).status).toBe(400);
    const scheduled = await api(server, 'POST', `/broadcasts/${id}/schedule`, {
      at: '2026-12-02T08:00:00+01:00',
    });
    expect([scheduled.status, scheduled.json.status, scheduled.json.scheduledAt]).toEqual([
      200,
      'scheduled',
      '2026-12-02T07:00:00.000Z',
    ]);
    expect((await api(server, 'PATCH', `/broadcasts/${id}`, { name: 'x' })).status).toBe(409);
    expect((await api(server, 'DELETE', `/broadcasts/${id}`)).status).toBe(409);

    const sent = await api(server, 'POST', `/broadcasts/${id}/send`);
    expect(sent.status).toBe(202);
    await feature.runFanOut();
    const stats = await api(server, 'GET', `/broadcasts/${id}`);
    expect(stats.json).toMatchObject({
      status: 'sent',
      recipients: 3,
      statistics: { recipients: 3, queued: 3, sent: 0, cancelled: 0 },
    });
    expect((await api(server, 'GET', '/broadcasts?status=sent')).json.total).toBe(1);
    // Fanned out but nothing sent yet: cancelling stops the three queued messages; then there is nothing left.
    const stopped = await api(server, 'POST', `/broadcasts/${id}/cancel`);
    expect(stopped.status).toBe(200);
    expect(stopped.json).toMatchObject({ cancelledRows: 3, broadcast: { status: 'cancelled' } });
    const again = await api(server, 'POST', `/broadcasts/${id}/cancel`);
    expect(again.status).toBe(409);
    expect((await api(server, 'GET', '/broadcasts/unknown')).status).toBe(404);

    const other = await api(server, 'POST', '/broadcasts', validDraft);
    expect((await api(server, 'DELETE', `/broadcasts/${other.json.id}`)).status).toBe(204);
  });
});
