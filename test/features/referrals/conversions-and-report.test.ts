import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attributeReferral } from '../../../src/features/referrals/attribution.js';
import { getOrCreateCode } from '../../../src/features/referrals/codes.js';
import { createReferralsFeature, type ReferralsFeature } from '../../../src/features/referrals/index.js';
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
import { authHeaders, insertContact, serveFeature, testConfig, testProgram } from './support.js';

notePostgresSkipped();

const NOW = new Date('2025-03-10T12:00:00Z');
const SECRET = 'shop-secret';
const sign = (body: string) => `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`;

describe.each(dialectsUnderTest)('conversions, report and leaderboard (%s)', (dialect) => {
  let handle: TestStoreHandle;
  let store: Store;
  let feature: ReferralsFeature;
  let server: { url: string; close: () => Promise<void> };
  let anna: Contact;
  let bernd: Contact;
  let annaCode: string;
  let berndCode: string;
  let visitorId: string;
  const now = NOW;

  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${server.url}/api/v1${path}`, { ...init, headers: { ...authHeaders, ...(init.headers ?? {}) } });
  const conversionCount = async () =>
    (await store.db.withTables<ReferralTables>().selectFrom('referral_conversions').select('id').execute())
      .length;
  const join = async (code: string, channel: Contact['channel'] = 'telegram') => {
    const friend = await insertContact(store, { createdAt: NOW, channel });
    await attributeReferral(store, feature.program(), silentLogger, {
      referred: {
        id: friend.id,
        channel: friend.channel,
        channelContactId: friend.channelContactId,
        phone: null,
        createdAt: NOW,
      },
      code,
      via: 'start_payload',
      now: NOW,
    });
    return friend;
  };

  beforeAll(async () => {
    handle = await createTestDatabase(dialect);
    store = await handle.open();
    feature = await createReferralsFeature(
      {
        store,
        config: testConfig({ CONVERSION_WEBHOOK_SECRET: SECRET }),
        logger: silentLogger,
        now: () => now,
      },
      { program: testProgram() },
    );
    server = await serveFeature([feature]);
    const db = store.db.withTables<ReferralTables>();
    anna = await insertContact(store, { firstName: 'Anna', lastName: 'Kaffeeliebe' });
    bernd = await insertContact(store, {
      firstName: null,
      lastName: null,
      displayName: 'Bernd Bohne',
      channel: 'whatsapp-cloud',
    });
    annaCode = (await getOrCreateCode(db, { contactId: anna.id, channel: 'telegram' }, 'freunde', NOW)).code;
    berndCode = (await getOrCreateCode(db, { contactId: bernd.id, channel: 'whatsapp-cloud' }, 'sommer', NOW))
      .code;
    // Anna: 2 human visitors (one twice), 1 bot; Bernd: 1 visitor.
    const click = (
      code: string,
      ip: string,
      agent = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64)',
      extra: Record<string, string> = {},
    ) =>
      fetch(`${server.url}/r/${code}`, {
        redirect: 'manual',
        headers: { 'user-agent': agent, 'x-forwarded-for': ip, ...extra },
      });
    const first = await click(annaCode, '203.0.113.1', undefined, { 'accept-language': 'de-DE' });
    visitorId = /plausch_vid=([a-z0-9]+)/.exec(first.headers.get('set-cookie') ?? '')?.[1] ?? '';
    await click(annaCode, '203.0.113.1', undefined, {
      cookie: `plausch_vid=${visitorId}`,
      'accept-language': 'de-DE',
    });
    await click(annaCode, '203.0.113.2', undefined, { 'accept-language': 'de-AT' });
    await click(annaCode, '203.0.113.3', 'facebookexternalhit/1.1');
    await click(berndCode, '203.0.113.4', undefined, { 'accept-language': 'de-CH' });
    await join(annaCode);
    await join(annaCode, 'whatsapp-cloud');
    await join(berndCode);
  });
  afterAll(async () => {
    await server.close();
    await handle.dispose();
  });

  it('records a conversion by code, idempotent on order_id; a different payload conflicts', async () => {
    const body = { code: annaCode, order_id: 'A-1001', value: 24.9, currency: 'eur' };
    const first = await api('/conversions', { method: 'POST', body: JSON.stringify(body) });
    expect(first.status).toBe(201);
    expect(await first.json()).toMatchObject({
      order_id: 'A-1001',
      code: annaCode,
      value: 24.9,
      currency: 'EUR',
      referrer_contact_id: anna.id,
    });
    const repeat = await api('/conversions', { method: 'POST', body: JSON.stringify(body) });
    expect(repeat.status).toBe(200);
    const conflict = await api('/conversions', {
      method: 'POST',
      body: JSON.stringify({ ...body, value: 99 }),
    });
    expect(conflict.status).toBe(409);
    expect((await conflict.json()).error).toContain('A-1001');
    expect(await conversionCount()).toBe(1);
  });

  it('attributes by visitor id (the /r/ cookie) and by contact', async () => {
    const byVisitor = await api('/conversions', {
      method: 'POST',
      body: JSON.stringify({ visitor_id: visitorId, order_id: 'A-1002', value: 10, currency: 'EUR' }),
    });
    expect(byVisitor.status).toBe(201);
    expect(await byVisitor.json()).toMatchObject({ code: annaCode, attributed: true });
    const friend = await join(berndCode);
    const byContact = await api('/conversions', {
      method: 'POST',
      body: JSON.stringify({ contact_id: friend.id, order_id: 'B-1', value: 5.5, currency: 'CHF' }),
    });
    expect(byContact.status).toBe(201);
    expect(await byContact.json()).toMatchObject({ code: berndCode, contact_id: friend.id });
  });

  it('answers 404 for unknown code, visitor or contact and 400 for bad input, writing nothing', async () => {
    const before = await conversionCount();
    const cases: Array<[unknown, number]> = [
      [{ code: 'zzzzzzzz', order_id: 'X-1' }, 404],
      [{ visitor_id: 'a'.repeat(24), order_id: 'X-2' }, 404],
      [{ contact_id: 'nobody', order_id: 'X-3' }, 404],
      [{ order_id: 'X-4' }, 400],
      [{ code: annaCode }, 400],
      [{ code: annaCode, order_id: 'X-5', value: -1, currency: 'EUR' }, 400],
      [{ code: annaCode, order_id: 'X-6', value: 3 }, 400],
      [{ code: annaCode, order_id: 'X-7', currency: 'EURO' }, 400],
      [{ code: annaCode, order_id: 'X-8', extra: true }, 400],
    ];
    for (const [body, status] of cases) {
      const response = await api('/conversions', { method: 'POST', body: JSON.stringify(body) });
      expect(response.status, JSON.stringify(body)).toBe(status);
      expect((await response.json()).error).toBeTruthy();
    }
    const broken = await api('/conversions', { method: 'POST', body: '{"order_id": ' });
    expect(broken.status).toBe(400);
    expect(await conversionCount()).toBe(before);
  });

  it('refuses API calls without a token', async () => {
    const response = await fetch(`${server.url}/api/v1/referrals/report`);
    expect(response.status).toBe(401);
    const post = await fetch(`${server.url}/api/v1/conversions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code: annaCode, order_id: 'N-1' }),
    });
    expect(post.status).toBe(401);
  });

  it('accepts the signed webhook and refuses forged signatures without writing', async () => {
    const before = await conversionCount();
    const body = JSON.stringify({ code: `ref_${annaCode}`, order_id: 'W-1', value: 12, currency: 'EUR' });
    const forged = await fetch(`${server.url}/conversions/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-plausch-signature': sign(`${body} `) },
      body,
    });
    expect(forged.status).toBe(401);
    const unsigned = await fetch(`${server.url}/conversions/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect(unsigned.status).toBe(401);
    expect(await conversionCount()).toBe(before);
    const signed = await fetch(`${server.url}/conversions/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-plausch-signature': sign(body) },
      body,
    });
    expect(signed.status).toBe(201);
    const again = await fetch(`${server.url}/conversions/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-plausch-signature': sign(body) },
      body,
    });
    expect(again.status).toBe(200);
    const badJson = '{"order_id":';
    const invalid = await fetch(`${server.url}/conversions/webhook`, {
      method: 'POST',
      headers: { 'x-plausch-signature': sign(badJson) },
      body: badJson,
    });
    expect(invalid.status).toBe(400);
    expect(await conversionCount()).toBe(before + 1);
  });

  it('reports clicks, unique clicks, bot clicks, joins, conversions and value per group', async () => {
    const response = await api('/referrals/report?group_by=campaign&from=2025-03-01&to=2025-03-31');
    expect(response.status).toBe(200);
    const report = await response.json();
    const freunde = report.rows.find((r: { key: string }) => r.key === 'freunde');
    const sommer = report.rows.find((r: { key: string }) => r.key === 'sommer');
    expect(freunde).toMatchObject({
      clicks: 3,
      unique_clicks: 2,
      bot_clicks: 1,
      new_contacts: 2,
      conversions: 3,
      value: { EUR: 46.9 },
    });
    expect(sommer).toMatchObject({
      clicks: 1,
      unique_clicks: 1,
      bot_clicks: 0,
      new_contacts: 2,
      conversions: 1,
      value: { CHF: 5.5 },
    });
    expect(report.totals).toMatchObject({
      clicks: 4,
      unique_clicks: 3,
      bot_clicks: 1,
      new_contacts: 4,
      conversions: 4,
    });

    const byCountry = await (
      await api('/referrals/report?group_by=country&from=2025-03-01&to=2025-03-31')
    ).json();
    const countries = Object.fromEntries(
      byCountry.rows.map((r: { key: string; unique_clicks: number }) => [r.key, r.unique_clicks]),
    );
    expect(countries).toMatchObject({ DE: 1, AT: 1, CH: 1 });

    const byReferrer = await (
      await api('/referrals/report?group_by=referrer&from=2025-03-01&to=2025-03-31')
    ).json();
    expect(byReferrer.rows.map((r: { label?: string }) => r.label).sort()).toEqual(['Anna K.', 'Bernd B.']);
    const byChannel = await (
      await api('/referrals/report?group_by=channel&from=2025-03-01&to=2025-03-31')
    ).json();
    expect(byChannel.rows.find((r: { key: string }) => r.key === 'whatsapp-cloud')).toMatchObject({
      new_contacts: 2,
      clicks: 1,
    });

    const outside = await (
      await api('/referrals/report?group_by=campaign&from=2025-04-01&to=2025-04-30')
    ).json();
    expect(outside.rows).toEqual([]);
    expect((await api('/referrals/report?group_by=planet')).status).toBe(400);
    expect((await api('/referrals/report?from=2025-04-01&to=2025-03-01')).status).toBe(400);
    expect((await api('/referrals/report?from=gestern')).status).toBe(400);
  });

  it('ranks referrers on the leaderboard with shortened names, and shows one code', async () => {
    const board = await (await api('/referrals/leaderboard?limit=5')).json();
    expect(board.entries).toEqual([
      { rank: 1, name: 'Anna K.', joined: 2, conversions: 3 },
      { rank: 2, name: 'Bernd B.', joined: 2, conversions: 1 },
    ]);
    const sommer = await (await api('/referrals/leaderboard?campaign=sommer')).json();
    expect(sommer.entries).toEqual([{ rank: 1, name: 'Bernd B.', joined: 2, conversions: 1 }]);
    expect((await api('/referrals/leaderboard?campaign=winter')).status).toBe(404);
    expect((await api('/referrals/leaderboard?limit=0')).status).toBe(400);

    const detail = await (await api(`/referrals/codes/${annaCode}`)).json();
    expect(detail).toMatchObject({ code: annaCode, campaign: 'freunde', referrer: { name: 'Anna K.' } });
    expect(detail.counts).toMatchObject({
      clicks: 3,
      unique_clicks: 2,
      bot_clicks: 1,
      joined: 2,
      conversions: 3,
    });
    expect((await api('/referrals/codes/nothere')).status).toBe(404);
  });

  it('referral.stats tells the referrer their numbers and the next milestone', async () => {
    const stats = feature.actions?.find((a) => a.name === 'referral.stats');
    if (!stats) throw new Error('referral.stats missing');
    const result = await stats.run(stats.args.parse({}), {
      contact: anna,
      conversationId: 'c',
      channel: 'telegram',
      locale: 'de',
      vars: {},
      flowId: 'referral-stats',
      stepId: 'stats',
      now: NOW,
    });
    expect(result.vars).toEqual({ referral_clicks: 2, referral_joined: 2, referral_conversions: 3 });
    expect(result.messages?.[0]?.text).toBe(
      'Deine Empfehlungen: 2 Klicks auf deinen Link, 2 Freunde sind dabei, 3 Bestellungen. Noch 1 Freund bis zur nächsten Belohnung: Belohnung für 3 Freunde.',
    );
  });
});
