import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ActionRegistry } from '../../../src/engine/actions.js';
import type { TurnInput } from '../../../src/engine/types.js';
import { attributeReferral } from '../../../src/features/referrals/attribution.js';
import { getOrCreateCode } from '../../../src/features/referrals/codes.js';
import { createReferralsFeature } from '../../../src/features/referrals/index.js';
import type { ReferralTables } from '../../../src/features/referrals/tables.js';
import { flowSettingsSchema } from '../../../src/flows/schema.js';
import { silentLogger } from '../../../src/logger.js';
import { type Contact, EMPTY_CONVERSATION_STATE, PLAIN_TEXT_CAPABILITIES } from '../../../src/model/index.js';
import type { Store } from '../../../src/store/database.js';
import {
  createTestDatabase,
  dialectsUnderTest,
  notePostgresSkipped,
  type TestStoreHandle,
} from '../../support/stores.js';
import {
  authHeaders,
  insertContact,
  recordInbound,
  serveFeature,
  testConfig,
  testProgram,
} from './support.js';

notePostgresSkipped();

const NOW = new Date('2025-03-10T12:00:00Z');

function turn(contact: Contact, event: TurnInput['event']): TurnInput {
  return {
    state: EMPTY_CONVERSATION_STATE,
    event,
    contact,
    conversationId: 'conv-1',
    channel: contact.channel,
    capabilities: PLAIN_TEXT_CAPABILITIES,
    flows: { settings: flowSettingsSchema.parse({}), flows: new Map(), loadedAt: NOW },
    actions: new ActionRegistry(),
    now: NOW,
  };
}

const referrerInput = (contact: Contact, code: string) => ({
  referred: {
    id: contact.id,
    channel: contact.channel,
    channelContactId: contact.channelContactId,
    phone: contact.phone,
    createdAt: contact.createdAt,
  },
  code,
  via: 'start_payload' as const,
  now: NOW,
});

describe.each(dialectsUnderTest)('referral attribution (%s)', (dialect) => {
  let handle: TestStoreHandle;
  let store: Store;
  const newContact = (overrides: Partial<Contact> = {}) =>
    insertContact(store, { createdAt: NOW, ...overrides });
  const codeOf = async (contact: Contact, campaign = 'freunde') =>
    (
      await getOrCreateCode(
        store.db.withTables<ReferralTables>(),
        { contactId: contact.id, channel: contact.channel },
        campaign,
        NOW,
      )
    ).code;
  const attributionOf = (contact: Contact) =>
    store.db
      .withTables<ReferralTables>()
      .selectFrom('referral_attributions')
      .selectAll()
      .where('referred_contact_id', '=', contact.id)
      .execute();

  beforeAll(async () => {
    handle = await createTestDatabase(dialect);
    store = await handle.open();
  });
  afterAll(async () => {
    await handle.dispose();
  });

  it('attributes a new contact once through the interceptor, and lets the flows run', async () => {
    const outcomes: string[] = [];
    const feature = await createReferralsFeature(
      { store, config: testConfig(), logger: silentLogger, now: () => NOW },
      { program: testProgram(), onAttributed: (r) => outcomes.push(r.outcome) },
    );
    const interceptor = feature.interceptors?.[0];
    if (!interceptor) throw new Error('interceptor missing');
    const referrer = await newContact();
    const code = await codeOf(referrer);
    const friend = await newContact({ firstName: 'Ben' });
    await recordInbound(store, friend, NOW);

    expect(
      await interceptor.intercept(
        turn(friend, { kind: 'message', startPayload: `ref_${code}`, isStart: true }),
      ),
    ).toBeNull();
    expect(
      await interceptor.intercept(
        turn(friend, { kind: 'message', startPayload: `ref_${code}`, isStart: true }),
      ),
    ).toBeNull();
    expect(outcomes).toEqual(['joined', 'already']);
    expect(await attributionOf(friend)).toHaveLength(1);
    expect((await attributionOf(friend))[0]).toMatchObject({
      status: 'joined',
      via: 'start_payload',
      referrer_contact_id: referrer.id,
    });

    // The wa.me prefilled first message carries the payload in its text.
    const waFriend = await newContact({ channel: 'whatsapp-cloud', channelContactId: '4915112345678' });
    await interceptor.intercept(
      turn(waFriend, {
        kind: 'message',
        text: `Hallo Bohnenglück! Ich wurde eingeladen (ref_${code.toUpperCase()}).`,
      }),
    );
    expect((await attributionOf(waFriend))[0]).toMatchObject({ status: 'joined', via: 'text' });
    // Ordinary messages and look-alikes are left alone.
    expect(await interceptor.intercept(turn(waFriend, { kind: 'message', text: 'preference_x' }))).toBeNull();
    expect(outcomes).toEqual(['joined', 'already', 'joined']);
  });

  it('refuses self-referrals: the same contact, or the same person on a sibling channel', async () => {
    const program = testProgram();
    const referrer = await newContact({ channel: 'whatsapp-web', channelContactId: '491701234567@c.us' });
    const code = await codeOf(referrer);
    expect(
      (await attributeReferral(store, program, silentLogger, referrerInput(referrer, code))).outcome,
    ).toBe('self');
    const twin = await newContact({ channel: 'whatsapp-cloud', channelContactId: '491701234567' });
    expect((await attributeReferral(store, program, silentLogger, referrerInput(twin, code))).outcome).toBe(
      'self',
    );
    expect(await attributionOf(referrer)).toHaveLength(0);
    expect(await attributionOf(twin)).toHaveLength(0);
    expect(
      (await attributeReferral(store, program, silentLogger, referrerInput(twin, 'zzzzzzzz'))).outcome,
    ).toBe('unknown_code');
  });

  it('records a contact who talked to the bot before as existing, without counting a join', async () => {
    const program = testProgram();
    const referrer = await newContact();
    const code = await codeOf(referrer);
    const regular = await newContact();
    await recordInbound(store, regular, new Date(NOW.getTime() - 60_000));
    await recordInbound(store, regular, NOW);
    expect(
      (await attributeReferral(store, program, silentLogger, referrerInput(regular, code))).outcome,
    ).toBe('existing');
    const old = await newContact({ createdAt: new Date('2024-01-01T00:00:00Z') });
    expect((await attributeReferral(store, program, silentLogger, referrerInput(old, code))).outcome).toBe(
      'existing',
    );
    const row = await store.db
      .withTables<ReferralTables>()
      .selectFrom('referral_codes')
      .select('joined_count')
      .where('code', '=', code)
      .executeTakeFirstOrThrow();
    expect(Number(row.joined_count)).toBe(0);
    expect((await attributionOf(regular))[0]?.status).toBe('existing');
  });

  it('grants each milestone exactly once with parallel joins on two instances and after a restart; an empty pool leaves the reward pending until codes arrive', async () => {
    const warnings: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => warnings.push(line) });
    const program = testProgram();
    const feature = await createReferralsFeature(
      { store, config: testConfig(), logger, now: () => NOW },
      { program },
    );
    await feature.start?.(); // loads the pools' YAML codes (FR-1, FR-2) once
    await feature.start?.();
    // Two instances share PostgreSQL. SQLite serves one instance: a second connection in the same process would
    // block the event loop in busy-wait while the first holds the write lock, so it shares the connection.
    const second = dialect === 'postgres' ? await handle.open() : store;
    const referrer = await newContact({ firstName: 'Clara', locale: 'de' });
    const code = await codeOf(referrer);
    const friends = await Promise.all(Array.from({ length: 5 }, () => newContact()));
    const results = await Promise.all(
      friends.map((friend, i) =>
        attributeReferral(i % 2 === 0 ? store : second, program, logger, referrerInput(friend, code)),
      ),
    );
    expect(results.map((r) => r.outcome)).toEqual(['joined', 'joined', 'joined', 'joined', 'joined']);

    const db = store.db.withTables<ReferralTables>();
    const rewards = await db
      .selectFrom('referral_rewards')
      .selectAll()
      .where('referrer_contact_id', '=', referrer.id)
      .orderBy('friends')
      .execute();
    expect(rewards.map((r) => [r.milestone_id, r.status, r.coupon_code])).toEqual([
      ['drei', 'sent', 'FR-1'],
      ['fuenf', 'pending', null],
    ]);
    const outbox = await store.db
      .selectFrom('outbox')
      .selectAll()
      .where('contact_id', '=', referrer.id)
      .orderBy('created_at')
      .execute();
    expect(outbox).toHaveLength(2);
    expect(outbox.every((o) => o.purpose === 'system' && o.topic === null && o.channel === 'telegram')).toBe(
      true,
    );
    const texts = outbox.map((o) => JSON.parse(o.message).text as string);
    expect(texts).toContain('Danke Clara! Dein Code: FR-1');
    expect(texts.some((t) => t.includes('bereiten wir gerade vor'))).toBe(true);
    expect(warnings.some((w) => w.includes('coupon pool is empty') && w.includes('"pool":"LEER"'))).toBe(
      true,
    );
    const coupons = await db
      .selectFrom('referral_coupons')
      .selectAll()
      .where('pool', '=', 'FREUNDE10')
      .orderBy('code')
      .execute();
    expect(coupons.map((c) => [c.code, c.reward_id === null])).toEqual([
      ['FR-1', false],
      ['FR-2', true],
    ]);

    // A restart: a fresh instance sees the same joins again and grants nothing twice.
    const restarted = await handle.open();
    const again = await Promise.all(
      friends.map((friend) => attributeReferral(restarted, program, logger, referrerInput(friend, code))),
    );
    expect(again.every((r) => r.outcome === 'already' && r.rewards.length === 0)).toBe(true);
    expect(
      await db
        .selectFrom('referral_rewards')
        .select('id')
        .where('referrer_contact_id', '=', referrer.id)
        .execute(),
    ).toHaveLength(2);
    expect(
      await store.db.selectFrom('outbox').select('id').where('contact_id', '=', referrer.id).execute(),
    ).toHaveLength(2);

    // Codes loaded over the API go to the pending reward first, exactly once.
    const server = await serveFeature([feature]);
    try {
      const upload = await fetch(`${server.url}/api/v1/referrals/coupons`, {
        method: 'POST',
        headers: authHeaders,
        body: JSON.stringify({ pool: 'LEER', codes: ['PAKET-1', 'PAKET-2', 'PAKET-1'] }),
      });
      expect(upload.status).toBe(201);
      expect(await upload.json()).toMatchObject({ added: 2, pending_rewards_fulfilled: 1, free: 1 });
      const bad = await fetch(`${server.url}/api/v1/referrals/coupons`, {
        method: 'POST',
        headers: authHeaders,
        body: JSON.stringify({ pool: 'NIRGENDS', codes: ['X'] }),
      });
      expect(bad.status).toBe(404);
    } finally {
      await server.close();
    }
    const fulfilled = await db
      .selectFrom('referral_rewards')
      .selectAll()
      .where('milestone_id', '=', 'fuenf')
      .where('referrer_contact_id', '=', referrer.id)
      .executeTakeFirstOrThrow();
    expect(fulfilled).toMatchObject({ status: 'sent', coupon_code: 'PAKET-1' });
    const last = await store.db
      .selectFrom('outbox')
      .selectAll()
      .where('contact_id', '=', referrer.id)
      .execute();
    expect(last.map((o) => JSON.parse(o.message).text)).toContain('Paket-Code: PAKET-1');
  });
});
