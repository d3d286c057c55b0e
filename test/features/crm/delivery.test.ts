import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ActionContext } from '../../../src/engine/actions.js';
import { nonPublicRange, resolveAllowedAddresses } from '../../../src/features/crm/address-guard.js';
import { claimDueDeliveries } from '../../../src/features/crm/delivery-job.js';
import { type CrmFeature, createCrmFeature } from '../../../src/features/crm/index.js';
import type { CrmTables } from '../../../src/features/crm/tables.js';
import { attributeReferral } from '../../../src/features/referrals/attribution.js';
import { getOrCreateCode } from '../../../src/features/referrals/codes.js';
import type { ReferralTables } from '../../../src/features/referrals/tables.js';
import { silentLogger } from '../../../src/logger.js';
import type { Contact } from '../../../src/model/index.js';
import type { Store } from '../../../src/store/database.js';
import {
  createTestDatabase,
  dialectsUnderTest,
  notePostgresSkipped,
  type TestStoreHandle,
} from '../../support/stores.js';
import { insertContact, testConfig, testProgram } from '../referrals/support.js';

notePostgresSkipped();

const SECRET = 'crm-secret';

interface Received {
  headers: IncomingMessage['headers'];
  body: string;
}

/** A CRM on 127.0.0.1 answering with the queued statuses, recording what it got. */
async function startReceiver(): Promise<{
  url: string;
  received: Received[];
  answers: number[];
  close: () => Promise<void>;
}> {
  const received: Received[] = [];
  const answers: number[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const status = answers.shift() ?? 200;
      if (status === 302) res.setHeader('location', 'http://169.254.169.254/latest/meta-data');
      res.statusCode = status;
      res.end(status >= 400 ? `{"error":"status ${status}"}` : '{"ok":true}');
    });
  });
  server.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/lead`,
    received,
    answers,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('address guard', () => {
  it('names non-public ranges and passes public unicast', () => {
    expect(nonPublicRange('127.0.0.1')).toBe('loopback');
    expect(nonPublicRange('10.1.2.3')).toBe('private');
    expect(nonPublicRange('192.168.0.1')).toBe('private');
    expect(nonPublicRange('172.16.5.5')).toBe('private');
    expect(nonPublicRange('169.254.169.254')).toBe('linkLocal');
    expect(nonPublicRange('100.64.0.1')).toBe('carrierGradeNat');
    expect(nonPublicRange('224.0.0.1')).toBe('multicast');
    expect(nonPublicRange('0.0.0.0')).toBe('unspecified');
    expect(nonPublicRange('::1')).toBe('loopback');
    expect(nonPublicRange('fd00::1')).toBe('uniqueLocal');
    expect(nonPublicRange('fe80::1')).toBe('linkLocal');
    expect(nonPublicRange('::ffff:10.0.0.1')).toBe('private');
    expect(nonPublicRange('93.184.216.34')).toBeNull();
    expect(nonPublicRange('2606:4700::1111')).toBeNull();
  });

  it('refuses a host when any of its addresses is private', async () => {
    const lookupAll = async () => [
      { address: '93.184.216.34', family: 4 },
      { address: '10.0.0.5', family: 4 },
    ];
    await expect(resolveAllowedAddresses('crm.example', false, lookupAll)).rejects.toThrow(
      /10\.0\.0\.5 is a private address/,
    );
    await expect(resolveAllowedAddresses('crm.example', true, lookupAll)).resolves.toHaveLength(2);
    await expect(resolveAllowedAddresses('[::1]', false)).rejects.toThrow(/loopback/);
  });
});

describe.each(dialectsUnderTest)('CRM lead delivery (%s)', (dialect) => {
  let handle: TestStoreHandle;
  let store: Store;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let clock = new Date('2025-03-10T12:00:00Z');
  const features: CrmFeature[] = [];

  const makeFeature = async (env: Record<string, string>, consent?: Record<string, string>) => {
    const feature = await createCrmFeature(
      { store, config: testConfig(env), logger: silentLogger, now: () => clock },
      {
        ...(consent ? { consentLookup: async () => consent } : {}),
        delivery: { backoffBaseMs: 1_000, timeoutMs: 2_000, instanceId: `test-${features.length}` },
      },
    );
    features.push(feature);
    return feature;
  };
  const context = (contact: Contact, vars: Record<string, string | number>): ActionContext => ({
    contact,
    conversationId: 'c',
    channel: contact.channel,
    locale: 'de',
    vars,
    flowId: 'lead',
    stepId: 'send',
    now: clock,
  });
  const queue = async (
    feature: CrmFeature,
    contact: Contact,
    vars: Record<string, string | number> = { email: 'anna@example.org', monthly_kg: 12 },
  ) => {
    const action = feature.actions?.find((a) => a.name === 'crm.lead');
    if (!action) throw new Error('crm.lead missing');
    return action.run(
      action.args.parse({ fields: ['email', 'monthly_kg', 'missing'], campaign: 'b2b' }),
      context(contact, vars),
    );
  };
  const rows = () =>
    store.db
      .withTables<CrmTables>()
      .selectFrom('crm_deliveries')
      .selectAll()
      .orderBy('created_at')
      .orderBy('id')
      .execute();

  beforeAll(async () => {
    handle = await createTestDatabase(dialect);
    store = await handle.open();
  });
  afterAll(async () => {
    await handle.dispose();
  });
  afterEach(async () => {
    for (const f of features.splice(0)) await f.stop?.();
    await receiver?.close();
    await store.db.withTables<CrmTables>().deleteFrom('crm_deliveries').execute();
  });

  it('posts the lead signed, with a delivery id the receiver can verify; retries after 500', async () => {
    receiver = await startReceiver();
    receiver.answers.push(500, 200);
    const feature = await makeFeature(
      { CRM_WEBHOOK_URL: receiver.url, CRM_WEBHOOK_SECRET: SECRET, CRM_ALLOW_PRIVATE_ADDRESSES: 'true' },
      { 'kaffee-news': 'confirmed' },
    );
    const referrer = await insertContact(store, { firstName: 'Rita' });
    const contact = await insertContact(store, { createdAt: clock, phone: '+4915112345678' });
    const code = (
      await getOrCreateCode(
        store.db.withTables<ReferralTables>(),
        { contactId: referrer.id, channel: 'telegram' },
        'freunde',
        clock,
      )
    ).code;
    await attributeReferral(store, testProgram(), silentLogger, {
      referred: {
        id: contact.id,
        channel: 'telegram',
        channelContactId: contact.channelContactId,
        phone: null,
        createdAt: clock,
      },
      code,
      via: 'start_payload',
      now: clock,
    });
    expect((await queue(feature, contact)).outcome).toBe('queued');

    expect(await feature.deliverNow()).toMatchObject({ claimed: 1, retrying: 1 });
    let [row] = await rows();
    expect(row).toMatchObject({ status: 'queued', attempts: 1, last_status_code: 500 });
    expect(row?.last_error).toContain('HTTP 500');
    // Not due yet: nothing is sent.
    expect(await feature.deliverNow()).toMatchObject({ claimed: 0 });
    clock = new Date(clock.getTime() + 1_000);
    expect(await feature.deliverNow()).toMatchObject({ claimed: 1, delivered: 1 });
    [row] = await rows();
    expect(row).toMatchObject({ status: 'delivered', attempts: 2, last_status_code: 200, last_error: null });

    expect(receiver.received).toHaveLength(2);
    const [first, second] = receiver.received;
    expect(first?.body).toBe(second?.body);
    expect(second?.headers['x-plausch-delivery']).toBe(row?.id);
    const expected = `sha256=${createHmac('sha256', SECRET)
      .update(second?.body ?? '')
      .digest('hex')}`;
    expect(second?.headers['x-plausch-signature']).toBe(expected);
    const lead = JSON.parse(second?.body ?? '{}');
    expect(lead).toMatchObject({
      lead_id: row?.id,
      source: {
        campaign: 'b2b',
        flow: 'lead',
        referral: { campaign: 'freunde', referrer_contact_id: referrer.id, code },
      },
      contact: { id: contact.id, phone: '+4915112345678' },
      fields: { email: 'anna@example.org', monthly_kg: 12, missing: null },
      consent: { 'kaffee-news': 'confirmed' },
    });
  });

  it('fails permanently on 400 with the reason, and on redirects without following them', async () => {
    receiver = await startReceiver();
    receiver.answers.push(400, 302);
    const feature = await makeFeature({
      CRM_WEBHOOK_URL: receiver.url,
      CRM_WEBHOOK_SECRET: SECRET,
      CRM_ALLOW_PRIVATE_ADDRESSES: 'true',
    });
    const contact = await insertContact(store);
    await queue(feature, contact);
    await queue(feature, contact);
    expect(await feature.deliverNow()).toMatchObject({ claimed: 2, failed: 2 });
    const all = await rows();
    const bad = all.find((r) => r.last_status_code === 400);
    const moved = all.find((r) => r.last_status_code === 302);
    expect(bad?.status).toBe('failed');
    expect(bad?.last_error).toContain('status 400');
    expect(moved?.status).toBe('failed');
    expect(moved?.last_error).toContain('redirects are not followed');
    expect(receiver.received).toHaveLength(2);
    clock = new Date(clock.getTime() + 24 * 60 * 60 * 1000);
    expect(await feature.deliverNow()).toMatchObject({ claimed: 0 });
  });

  it('refuses loopback, private, link-local and IPv6 loopback targets unless allowed; no request leaves', async () => {
    receiver = await startReceiver();
    const port = new URL(receiver.url).port;
    const contact = await insertContact(store);
    for (const target of [
      receiver.url,
      'http://10.0.0.1/hook',
      'http://169.254.169.254/latest',
      `http://[::1]:${port}/hook`,
      'http://100.64.1.1/x',
    ]) {
      const feature = await makeFeature({ CRM_WEBHOOK_URL: target, CRM_WEBHOOK_SECRET: SECRET });
      await queue(feature, contact);
      expect(await feature.deliverNow(), target).toMatchObject({ claimed: 1, failed: 1 });
    }
    const all = await rows();
    expect(all.map((r) => r.status)).toEqual(['failed', 'failed', 'failed', 'failed', 'failed']);
    expect(all.map((r) => /is a (\w+) address/.exec(r.last_error ?? '')?.[1])).toEqual([
      'loopback',
      'private',
      'linkLocal',
      'loopback',
      'carrierGradeNat',
    ]);
    expect(receiver.received).toHaveLength(0);
  });

  it('stores the lead for export and answers disabled when no CRM is configured', async () => {
    const feature = await makeFeature({});
    const contact = await insertContact(store);
    expect((await queue(feature, contact)).outcome).toBe('disabled');
    expect((await rows())[0]?.status).toBe('not_sent');
    expect(await feature.deliverNow()).toMatchObject({ claimed: 0 });
  });

  it('never lets two instances claim the same lead; an expired lease is taken over', async () => {
    receiver = await startReceiver();
    const feature = await makeFeature({ CRM_WEBHOOK_URL: receiver.url, CRM_ALLOW_PRIVATE_ADDRESSES: 'true' });
    const contact = await insertContact(store);
    for (let i = 0; i < 12; i++) await queue(feature, contact);
    const other = dialect === 'postgres' ? await handle.open() : store;
    const db = store.db.withTables<CrmTables & ReferralTables>();
    const otherDb = other.db.withTables<CrmTables & ReferralTables>();
    const settings = (id: string) => ({ instanceId: id, leaseMs: 60_000, batchSize: 5 });
    const claims = await Promise.all([
      claimDueDeliveries(db, dialect, settings('a'), clock),
      claimDueDeliveries(otherDb, dialect, settings('b'), clock),
      claimDueDeliveries(db, dialect, settings('c'), clock),
    ]);
    const ids = claims.flat().map((r) => r.id);
    expect(ids).toHaveLength(12);
    expect(new Set(ids).size).toBe(12);
    expect(await claimDueDeliveries(db, dialect, settings('d'), clock)).toHaveLength(0);
    const later = new Date(clock.getTime() + 61_000);
    const takenOver = await claimDueDeliveries(db, dialect, { ...settings('d'), batchSize: 20 }, later);
    expect(takenOver).toHaveLength(12);
    expect(takenOver.every((r) => r.attempts === 2 && r.locked_by === 'd')).toBe(true);
  });

  it('runs the background job from start() until stop()', async () => {
    receiver = await startReceiver();
    const warnings: string[] = [];
    const feature = await createCrmFeature(
      {
        store,
        config: testConfig({ CRM_WEBHOOK_URL: receiver.url, CRM_ALLOW_PRIVATE_ADDRESSES: 'true' }),
        logger: pino({ level: 'warn' }, { write: (l: string) => warnings.push(l) }),
        now: () => clock,
      },
      { pollIntervalMs: 20 },
    );
    features.push(feature);
    expect(warnings.some((w) => w.includes('CRM_WEBHOOK_SECRET is not set'))).toBe(true);
    await queue(feature, await insertContact(store));
    await feature.start?.();
    const deadline = Date.now() + 15_000;
    while (receiver.received.length === 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    await feature.stop?.();
    expect(receiver.received).toHaveLength(1);
    expect(receiver.received[0]?.headers['x-plausch-signature']).toBeUndefined();
    expect((await rows())[0]?.status).toBe('delivered');
  });
});
