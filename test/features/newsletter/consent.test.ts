import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createNewsletterFeature, type NewsletterFeature } from '../../../src/features/newsletter/index.js';
import { enqueueOutbound } from '../../../src/outbox/enqueue.js';
import type { OutboxRowView } from '../../../src/outbox/types.js';
import type { Store } from '../../../src/store/database.js';
import {
  createTestDatabase,
  dialectsUnderTest,
  notePostgresSkipped,
  type TestStoreHandle,
} from '../../support/stores.js';
import { actionContext, featureContext, insertContact, runAction, TestClock, turnInput } from './support.js';

notePostgresSkipped();

const CONSENT_DE =
  'Röst-News: einmal im Monat neue Röstungen, Brühtipps und Angebote aus der Rösterei Bohnenglück, hier im Chat.\n\n' +
  'Möchtest du das abonnieren? Abmelden kannst du dich jederzeit mit STOP.';

describe.each(dialectsUnderTest)('newsletter consent on %s', (dialect) => {
  let handle: TestStoreHandle;
  let store: Store;
  let clock: TestClock;
  let feature: NewsletterFeature;

  beforeEach(async () => {
    handle = await createTestDatabase(dialect);
    store = await handle.open();
    clock = new TestClock(new Date('2026-12-01T10:00:00Z'));
    feature = createNewsletterFeature(featureContext(store, clock));
  });
  afterEach(async () => handle.dispose());

  const ledger = (contactId: string) =>
    feature.db
      .selectFrom('newsletter_consent_ledger')
      .selectAll()
      .where('contact_id', '=', contactId)
      .orderBy('created_at')
      .orderBy('id')
      .execute();

  it('runs the double opt-in and records the exact texts shown', async () => {
    const contact = await insertContact(store);
    const requested = await runAction(
      feature.actions,
      'newsletter.request',
      { topic: 'roast-news' },
      actionContext(contact, clock.now()),
    );
    expect(requested.outcome).toBe('pending');
    expect(requested.messages).toEqual([{ text: CONSENT_DE }]);
    expect(requested.vars).toEqual({ newsletter_topic: 'roast-news', newsletter_consent_text: CONSENT_DE });

    clock.advance(60_000);
    const confirmed = await runAction(
      feature.actions,
      'newsletter.confirm',
      { topic: 'roast-news' },
      actionContext(contact, clock.now(), 'newsletter.confirm'),
    );
    expect(confirmed.outcome).toBe('confirmed');

    const entries = await ledger(contact.id);
    expect(entries.map((e) => [e.action, e.topic, e.text, e.source, e.channel])).toEqual([
      ['requested', 'roast-news', CONSENT_DE, 'flow:newsletter.ask', 'telegram'],
      ['confirmed', 'roast-news', CONSENT_DE, 'flow:newsletter.confirm', 'telegram'],
    ]);
    const status = await runAction(
      feature.actions,
      'newsletter.status',
      {},
      actionContext(contact, clock.now()),
    );
    expect(status).toEqual({ outcome: 'subscribed', vars: { newsletter_topics: ['roast-news'] } });
    const again = await runAction(
      feature.actions,
      'newsletter.request',
      { topic: 'roast-news' },
      actionContext(contact, clock.now()),
    );
    expect(again.outcome).toBe('already');
    expect(await ledger(contact.id)).toHaveLength(2);
  });

  it('asks in English for English-speaking contacts and refuses unknown topics', async () => {
    const contact = await insertContact(store, { locale: 'en' });
    const requested = await runAction(
      feature.actions,
      'newsletter.request',
      { topic: 'events' },
      actionContext(contact, clock.now()),
    );
    expect(requested.messages?.[0]?.text).toContain('You can unsubscribe at any time by sending STOP.');
    const unknown = await runAction(
      feature.actions,
      'newsletter.request',
      { topic: 'nope' },
      actionContext(contact, clock.now()),
    );
    expect(unknown.outcome).toBe('unknown_topic');
  });

  it('refuses to confirm without a request, after a decline, or after seven days', async () => {
    const contact = await insertContact(store);
    const ctx = () => actionContext(contact, clock.now());
    expect(
      (await runAction(feature.actions, 'newsletter.confirm', { topic: 'roast-news' }, ctx())).outcome,
    ).toBe('not_pending');

    await runAction(feature.actions, 'newsletter.request', { topic: 'roast-news' }, ctx());
    await runAction(feature.actions, 'newsletter.decline', { topic: 'roast-news' }, ctx());
    expect(
      (await runAction(feature.actions, 'newsletter.confirm', { topic: 'roast-news' }, ctx())).outcome,
    ).toBe('not_pending');

    await runAction(feature.actions, 'newsletter.request', { topic: 'events' }, ctx());
    clock.advance(7 * 24 * 3600 * 1000 + 1);
    expect((await runAction(feature.actions, 'newsletter.confirm', { topic: 'events' }, ctx())).outcome).toBe(
      'not_pending',
    );
    expect((await runAction(feature.actions, 'newsletter.status', {}, ctx())).outcome).toBe('none');
    expect((await ledger(contact.id)).map((e) => e.action)).toEqual(['requested', 'declined', 'requested']);
  });

  it('keeps the ledger append-only in the database itself', async () => {
    const contact = await insertContact(store);
    await runAction(
      feature.actions,
      'newsletter.request',
      { topic: 'roast-news' },
      actionContext(contact, clock.now()),
    );
    await expect(
      feature.db.updateTable('newsletter_consent_ledger').set({ text: 'forged' }).execute(),
    ).rejects.toThrow(/append-only/);
    await expect(feature.db.deleteFrom('newsletter_consent_ledger').execute()).rejects.toThrow(/append-only/);
    expect((await ledger(contact.id))[0]?.text).toBe(CONSENT_DE);
  });

  it('unsubscribes on one word in the middle of another flow, cancels queued rows and answers once', async () => {
    const contact = await insertContact(store);
    const other = await insertContact(store);
    for (const who of [contact, other]) {
      for (const topic of ['roast-news', 'events']) {
        await runAction(feature.actions, 'newsletter.request', { topic }, actionContext(who, clock.now()));
        await runAction(feature.actions, 'newsletter.confirm', { topic }, actionContext(who, clock.now()));
      }
    }
    const queued = await enqueueOutbound(
      store.db,
      [
        {
          contactId: contact.id,
          conversationId: contact.conversationId,
          channel: 'telegram',
          message: { text: 'Röstpost' },
          purpose: 'broadcast',
          topic: 'roast-news',
          sourceId: 'b-old',
          notBefore: new Date('2026-12-02T09:00:00Z'),
        },
        {
          contactId: contact.id,
          conversationId: contact.conversationId,
          channel: 'telegram',
          message: { text: 'Hinweis' },
          purpose: 'notice',
          topic: 'events',
        },
        {
          contactId: contact.id,
          conversationId: contact.conversationId,
          channel: 'telegram',
          message: { text: 'Antwort' },
          purpose: 'reply',
        },
        {
          contactId: other.id,
          conversationId: other.conversationId,
          channel: 'telegram',
          message: { text: 'Röstpost' },
          purpose: 'broadcast',
          topic: 'roast-news',
          sourceId: 'b-old',
        },
      ],
      clock.now(),
    );

    const midFlow = {
      flowId: 'order',
      stepId: 'ask_email',
      awaiting: 'input' as const,
      vars: { size: '500g' },
      misses: 0,
    };
    const [unsubscribeWord] = feature.interceptors ?? [];
    const output = await unsubscribeWord!.intercept(
      turnInput(contact, clock.now(), { text: '  Stopp! ' }, midFlow),
    );
    expect(output?.messages).toHaveLength(1);
    expect(output?.messages[0]?.text).toMatch(
      /^Erledigt: Du bist von allen Newslettern abgemeldet \(Events & Verkostung, Röst-News\).*„Newsletter“/,
    );
    expect(output?.state).toEqual(midFlow);

    const rows = await store.db.selectFrom('outbox').select(['id', 'status', 'last_error']).execute();
    const statusOf = (id: string | undefined) => rows.find((r) => r.id === id)?.status;
    expect([statusOf(queued[0]), statusOf(queued[1]), statusOf(queued[2]), statusOf(queued[3])]).toEqual([
      'cancelled',
      'cancelled',
      'queued',
      'queued',
    ]);
    const entries = await ledger(contact.id);
    expect(entries.filter((e) => e.action === 'unsubscribed').map((e) => [e.topic, e.source])).toEqual([
      ['events', 'interceptor'],
      ['roast-news', 'interceptor'],
    ]);

    // The next broadcast does not reach them.
    const draft = await feature.db
      .insertInto('newsletter_broadcasts')
      .values({
        id: 'b-next',
        name: 'Dezember',
        topic: 'roast-news',
        status: 'scheduled',
        content: JSON.stringify({ text: 'Neu' }),
        segment: '{}',
        source: 'api',
        scheduled_at: clock.now().getTime(),
        started_at: null,
        finished_at: null,
        cancelled_at: null,
        fanout_cursor: null,
        recipient_count: 0,
        created_at: 1,
        updated_at: 1,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await feature.runFanOut();
    const next = await store.db
      .selectFrom('outbox')
      .select('contact_id')
      .where('source_id', '=', draft.id)
      .execute();
    expect(next.map((r) => r.contact_id)).toEqual([other.id]);

    // Saying it again: a short answer, no ledger noise.
    const again = await unsubscribeWord!.intercept(turnInput(contact, clock.now(), { text: 'STOP' }));
    expect(again?.messages).toEqual([{ text: expect.stringContaining('keinen Newsletter abonniert') }]);
    expect(await ledger(contact.id)).toHaveLength(entries.length);
  });

  it('lets other messages through and understands other locales and spellings', async () => {
    const contact = await insertContact(store, { locale: 'en' });
    const [unsubscribeWord] = feature.interceptors ?? [];
    expect(
      await unsubscribeWord!.intercept(
        turnInput(contact, clock.now(), { text: 'stop sending me the wrong beans' }),
      ),
    ).toBeNull();
    expect(
      await unsubscribeWord!.intercept(turnInput(contact, clock.now(), { text: 'kündigen' })),
    ).toBeNull();
    const answer = await unsubscribeWord!.intercept(
      turnInput(contact, clock.now(), { text: 'Newsletter kuendigen' }),
    );
    expect(answer?.messages[0]?.text).toContain('You were not subscribed');
  });

  it('guards sends: topic rows need consent at send time, proactive rows need a topic', async () => {
    const contact = await insertContact(store);
    const [guard] = feature.guards ?? [];
    const row = (over: Partial<OutboxRowView>): OutboxRowView => ({
      id: 'o1',
      channel: 'telegram',
      purpose: 'broadcast',
      topic: 'roast-news',
      sourceId: null,
      message: { text: 'x' },
      createdAt: clock.now(),
      ...over,
    });
    const check = (r: OutboxRowView) => guard!.check(r, { contact, conversation: null, now: clock.now() });

    expect(await check(row({}))).toEqual({
      action: 'cancel',
      reason: 'no confirmed consent for topic roast-news',
    });
    await runAction(
      feature.actions,
      'newsletter.request',
      { topic: 'roast-news' },
      actionContext(contact, clock.now()),
    );
    expect((await check(row({}))).action).toBe('cancel');
    await runAction(
      feature.actions,
      'newsletter.confirm',
      { topic: 'roast-news' },
      actionContext(contact, clock.now()),
    );
    expect(await check(row({}))).toEqual({ action: 'send' });
    expect(await check(row({ topic: null }))).toEqual({
      action: 'cancel',
      reason: 'proactive message without a topic',
    });
    expect(await check(row({ topic: null, purpose: 'notice' }))).toEqual({
      action: 'cancel',
      reason: 'proactive message without a topic',
    });
    expect(await check(row({ topic: null, purpose: 'reminder' }))).toEqual({ action: 'send' });
    expect(await check(row({ topic: null, purpose: 'reply' }))).toEqual({ action: 'send' });

    await runAction(
      feature.actions,
      'newsletter.unsubscribe',
      { topic: 'roast-news' },
      actionContext(contact, clock.now()),
    );
    expect((await check(row({}))).action).toBe('cancel');
  });
});
