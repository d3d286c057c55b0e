import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActionContext } from '../../../src/engine/actions.js';
import { CODE_ALPHABET, getOrCreateCode } from '../../../src/features/referrals/codes.js';
import { createReferralsFeature } from '../../../src/features/referrals/index.js';
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
import { insertContact, serveFeature, testConfig, testProgram } from './support.js';

notePostgresSkipped();

const NOW = new Date('2025-03-10T12:00:00Z');

function actionContext(contact: Contact, locale = 'de'): ActionContext {
  return {
    contact,
    conversationId: 'c1',
    channel: contact.channel,
    locale,
    vars: {},
    flowId: 'referral',
    stepId: 'link',
    now: NOW,
  };
}

describe.each(dialectsUnderTest)('referral links and clicks (%s)', (dialect) => {
  let handle: TestStoreHandle;
  let store: Store;
  beforeAll(async () => {
    handle = await createTestDatabase(dialect);
    store = await handle.open();
  });
  afterAll(async () => {
    await handle.dispose();
  });

  it('creates one short unambiguous code per contact and campaign, stable across calls', async () => {
    const contact = await insertContact(store);
    const db = store.db.withTables<ReferralTables>();
    const first = await getOrCreateCode(db, { contactId: contact.id, channel: 'telegram' }, 'freunde', NOW);
    const again = await getOrCreateCode(db, { contactId: contact.id, channel: 'telegram' }, 'freunde', NOW);
    const other = await getOrCreateCode(db, { contactId: contact.id, channel: 'telegram' }, 'sommer', NOW);
    expect(again.code).toBe(first.code);
    expect(other.code).not.toBe(first.code);
    expect(first.code).toMatch(/^[a-z2-9]{8}$/);
    for (const ch of first.code) expect(CODE_ALPHABET).toContain(ch);
    expect(CODE_ALPHABET).not.toMatch(/[01lo]/);
    // Parallel first calls for the same pair still end with one code.
    const racer = await insertContact(store);
    const codes = await Promise.all(
      Array.from({ length: 5 }, () =>
        getOrCreateCode(db, { contactId: racer.id, channel: 'telegram' }, 'freunde', NOW),
      ),
    );
    expect(new Set(codes.map((c) => c.code)).size).toBe(1);
  });

  it('retries when a generated code collides with someone else’s', async () => {
    const db = store.db.withTables<ReferralTables>();
    const a = await insertContact(store);
    const b = await insertContact(store);
    const fixed = (fill: number) => () => Buffer.alloc(8, fill);
    const first = await getOrCreateCode(
      db,
      { contactId: a.id, channel: 'telegram' },
      'freunde',
      NOW,
      fixed(3),
    );
    let calls = 0;
    const collidingThenFresh = (size: number) => {
      calls += 1;
      return Buffer.alloc(size, calls === 1 ? 3 : 4);
    };
    const second = await getOrCreateCode(
      db,
      { contactId: b.id, channel: 'telegram' },
      'freunde',
      NOW,
      collidingThenFresh,
    );
    expect(second.code).not.toBe(first.code);
    expect(calls).toBe(2);
  });

  it('referral.link returns the share message with links only for configured channels', async () => {
    const contact = await insertContact(store, { firstName: 'Anna' });
    const bare = await createReferralsFeature(
      { store, config: testConfig(), logger: silentLogger, now: () => NOW },
      { program: testProgram() },
    );
    const link = bare.actions?.find((a) => a.name === 'referral.link');
    if (!link) throw new Error('referral.link missing');
    const result = await link.run(link.args.parse({}), actionContext(contact));
    const code = String(result.vars?.referral_code);
    expect(result.outcome).toBe('ok');
    expect(result.vars?.referral_url).toBe(`https://plausch.example/r/${code}`);
    const texts = result.messages?.map((m) => m.text ?? '').join('\n') ?? '';
    expect(texts).toContain(`Mit meinem Link bekommst du 10 %: https://plausch.example/r/${code}`);
    expect(texts).not.toMatch(/t\.me|m\.me|wa\.me/);
    expect(result.messages?.at(-1)?.media).toMatchObject({
      kind: 'image',
      ref: `https://plausch.example/r/${code}/qr.png`,
    });

    const full = await createReferralsFeature(
      {
        store,
        config: testConfig({
          TELEGRAM_BOT_USERNAME: 'bohnenglueck_bot',
          MESSENGER_PAGE_NAME: 'bohnenglueck',
          WHATSAPP_NUMBER: '+49 341 123456',
        }),
        logger: silentLogger,
        now: () => NOW,
      },
      { program: testProgram() },
    );
    const fullLink = full.actions?.find((a) => a.name === 'referral.link');
    if (!fullLink) throw new Error('referral.link missing');
    const english = await fullLink.run(fullLink.args.parse({}), actionContext(contact, 'en'));
    const text = english.messages?.[0]?.text ?? '';
    expect(english.vars?.referral_code).toBe(code);
    expect(text).toContain(`https://t.me/bohnenglueck_bot?start=ref_${code}`);
    expect(text).toContain(`https://m.me/bohnenglueck?ref=ref_${code}`);
    const wa = /https:\/\/wa\.me\/49341123456\?text=(\S+)/.exec(text);
    expect(wa).not.toBeNull();
    expect(decodeURIComponent(wa?.[1] ?? '')).toContain(`ref_${code}`);
    expect(english.messages?.[1]?.text).toBe(`With my link you get 10%: https://plausch.example/r/${code}`);
    // An unknown campaign is refused when flows are validated.
    expect(fullLink.args.safeParse({ campaign: 'winter' }).success).toBe(false);
    const none = await fullLink.run(fullLink.args.parse({ send: 'none' }), actionContext(contact));
    expect(none.messages).toEqual([]);
  });

  describe('GET /r/:code', () => {
    let server: { url: string; close: () => Promise<void> };
    let code: string;
    let now = NOW;
    beforeAll(async () => {
      const feature = await createReferralsFeature(
        {
          store,
          config: testConfig({
            GEO_COUNTRY_HEADER: 'CF-IPCountry',
            REFERRAL_FALLBACK_URL: 'https://bohnenglueck.example/hallo',
          }),
          logger: silentLogger,
          now: () => now,
        },
        { program: testProgram() },
      );
      server = await serveFeature([feature]);
      const owner = await insertContact(store);
      code = (
        await getOrCreateCode(
          store.db.withTables<ReferralTables>(),
          { contactId: owner.id, channel: 'telegram' },
          'freunde',
          NOW,
        )
      ).code;
    });
    afterAll(async () => {
      await server.close();
    });

    const browser =
      'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148';
    const get = (path: string, headers: Record<string, string> = {}) =>
      fetch(`${server.url}${path}`, { redirect: 'manual', headers: { 'user-agent': browser, ...headers } });
    const clicksOf = () =>
      store.db
        .withTables<ReferralTables>()
        .selectFrom('referral_clicks')
        .selectAll()
        .where('code_id', 'in', (eb) => eb.selectFrom('referral_codes').select('id').where('code', '=', code))
        .orderBy('id')
        .execute();

    it('redirects to the landing URL with UTM parameters merged into its own query', async () => {
      const response = await get(`/r/${code}`, {
        'x-forwarded-for': '203.0.113.7',
        'accept-language': 'de-AT,de;q=0.9',
      });
      expect(response.status).toBe(302);
      const location = new URL(response.headers.get('location') ?? '');
      expect(`${location.origin}${location.pathname}`).toBe('https://shop.example/freunde');
      expect(Object.fromEntries(location.searchParams)).toEqual({
        lang: 'de',
        utm_source: 'empfehlung',
        utm_medium: 'messenger',
        utm_campaign: 'freunde-werben',
        utm_content: code,
      });
      expect(response.headers.get('set-cookie')).toMatch(
        /plausch_vid=[a-z0-9]{24}; Max-Age=7776000; Path=\/; Expires=.*HttpOnly; Secure; SameSite=Lax/,
      );
      const [click] = await clicksOf();
      expect(click).toMatchObject({ is_bot: 0, is_unique: 1, country: 'AT', agent_class: 'mobile' });
      expect(JSON.stringify(click)).not.toContain('203.0.113.7');
      expect(click?.visitor_hash).toMatch(/^[0-9a-f]{32}$/);
    });

    it('counts the same visitor once per day, and again the next day', async () => {
      const headers = { 'x-forwarded-for': '198.51.100.9', 'cf-ipcountry': 'ch' };
      await get(`/r/${code}`, headers);
      await get(`/r/${code}`, headers);
      now = new Date(NOW.getTime() + 24 * 60 * 60 * 1000);
      await get(`/r/${code}`, headers);
      now = NOW;
      const clicks = (await clicksOf()).filter((c) => c.country === 'CH');
      expect(clicks.map((c) => c.is_unique)).toEqual([1, 0, 1]);
    });

    it('records link-preview fetchers and crawlers as bots without counting them', async () => {
      for (const agent of [
        'WhatsApp/2.23.20.0 A',
        'TelegramBot (like TwitterBot)',
        'facebookexternalhit/1.1',
        'Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)',
      ]) {
        const response = await get(`/r/${code}`, { 'user-agent': agent, 'x-forwarded-for': '192.0.2.44' });
        expect(response.status).toBe(302);
        expect(response.headers.get('set-cookie')).toBeNull();
      }
      const bots = (await clicksOf()).filter((c) => c.is_bot === 1);
      expect(bots).toHaveLength(4);
      expect(bots.every((c) => c.is_unique === 0 && c.visitor_id === null && c.agent_class === 'bot')).toBe(
        true,
      );
    });

    it('hashes with the salt, so another salt gives another hash', async () => {
      const { hashVisitorAddress } = await import('../../../src/features/referrals/clicks.js');
      expect(hashVisitorAddress('salt-one', '203.0.113.7')).not.toBe(
        hashVisitorAddress('salt-two', '203.0.113.7'),
      );
      const first = (await clicksOf()).find((c) => c.country === 'AT');
      expect(first?.visitor_hash).toBe(hashVisitorAddress('salt-one', '203.0.113.7'));
    });

    it('sends unknown and malformed codes to the configured fallback, never to a place from the request', async () => {
      const attempts = [
        '/r/zzzzzzzz',
        '/r/..%2F%2Fevil.com',
        '/r/%2F%2Fevil.com',
        '/r/https%3A%2F%2Fevil.com',
        '/r/evil.com%2F',
        `/r/${code}%2F..%2F..%2F%2Fevil.com`,
      ];
      for (const path of attempts) {
        const response = await get(path);
        expect(response.status, path).toBe(302);
        expect(response.headers.get('location'), path).toBe('https://bohnenglueck.example/hallo');
      }
      for (const path of ['//evil.com', '/r//evil.com', '/r/%5Cevil.com/x']) {
        const response = await get(path);
        expect(response.headers.get('location') ?? '', path).not.toContain('evil');
      }
    });

    it('serves the QR code of the web link as a cached PNG', async () => {
      const response = await get(`/r/${code}/qr.png`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('image/png');
      expect(response.headers.get('cache-control')).toContain('max-age=86400');
      const bytes = Buffer.from(await response.arrayBuffer());
      expect(bytes.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
      const again = Buffer.from(await (await get(`/r/${code}/qr.png`)).arrayBuffer());
      expect(again.equals(bytes)).toBe(true);
      expect((await get('/r/zzzzzzzz/qr.png')).status).toBe(404);
    });
  });

  it('uses the built-in safe page when no fallback URL is configured', async () => {
    const feature = await createReferralsFeature(
      { store, config: testConfig(), logger: silentLogger, now: () => NOW },
      { program: testProgram() },
    );
    const server = await serveFeature([feature]);
    try {
      const response = await fetch(`${server.url}/r/nicht-da`, { redirect: 'manual' });
      expect(response.headers.get('location')).toBe('https://plausch.example/r/unknown');
      const page = await fetch(`${server.url}/r/unknown`);
      expect(page.status).toBe(404);
      expect(await page.text()).toContain('Empfehlungslink ist uns unbekannt');
    } finally {
      await server.close();
    }
  });
});
