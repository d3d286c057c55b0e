import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getOrCreateCode } from '../../../src/features/referrals/codes.js';
import { createReferralsFeature } from '../../../src/features/referrals/index.js';
import type { ReferralTables } from '../../../src/features/referrals/tables.js';
import { silentLogger } from '../../../src/logger.js';
import { createTestDatabase, type TestStoreHandle } from '../../support/stores.js';
import { insertContact, serveFeature, testConfig, testProgram } from './support.js';

/** The only places /r/... may ever send a visitor: the campaigns' landing pages and the configured fallback. */
const ALLOWED_TARGETS = new Set([
  'https://shop.example/freunde',
  'https://shop.example/sommer',
  'https://bohnenglueck.example/hallo',
]);

describe('referral click route: no open redirect', () => {
  let handle: TestStoreHandle;
  let server: { url: string; close: () => Promise<void> };
  let code: string;
  beforeAll(async () => {
    handle = await createTestDatabase('sqlite');
    const store = await handle.open();
    const feature = await createReferralsFeature(
      {
        store,
        config: testConfig({ REFERRAL_FALLBACK_URL: 'https://bohnenglueck.example/hallo' }),
        logger: silentLogger,
        now: () => new Date('2025-03-10T12:00:00Z'),
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
        new Date('2025-03-10T12:00:00Z'),
      )
    ).code;
  });
  afterAll(async () => {
    await server.close();
    await handle.dispose();
  });

  const crafted = () => [
    `/r/${code}?url=https://evil.example/`,
    `/r/${code}?redirect=//evil.example&next=https://evil.example&landing_url=https://evil.example`,
    `/r/${code}?utm_source=x&utm_content=%0d%0aLocation:%20https://evil.example`,
    '/r/%2F%2Fevil.example',
    '/r/%2F%2Fevil.example%2F',
    '/r/https:%2F%2Fevil.example',
    '/r/%5C%5Cevil.example',
    '/r/evil.example',
    '/r/@evil.example',
    '/r/%0d%0aLocation:%20https:%2F%2Fevil.example',
    '/r/..%2F..%2Fevil',
    `/r/${code.toUpperCase()}%2F..%2F..%2F%2Fevil.example`,
    `/r/${code}%00https:%2F%2Fevil.example`,
    '/r/unknownx?url=https://evil.example/',
    `/r/${'a'.repeat(5000)}`,
  ];

  it('redirects only to a configured target, whatever the code or query says', async () => {
    for (const path of crafted()) {
      const response = await fetch(`${server.url}${path}`, {
        redirect: 'manual',
        headers: { 'user-agent': 'Mozilla/5.0', host: 'evil.example' },
      });
      const location = response.headers.get('location');
      if (response.status >= 300 && response.status < 400) {
        expect(location, path).not.toBeNull();
        const target = new URL(location ?? '', 'https://relative-means-same-host.invalid');
        expect(ALLOWED_TARGETS.has(`${target.origin}${target.pathname}`), `${path} -> ${location}`).toBe(
          true,
        );
        expect(location, path).not.toMatch(/evil/i);
      } else {
        // Anything else must be a plain error/page, never a redirect header.
        expect(location, path).toBeNull();
        expect(response.status, path).toBeLessThan(500);
      }
    }
  });

  it('keeps the crafted query out of the landing URL', async () => {
    const response = await fetch(`${server.url}/r/${code}?utm_source=evil&lang=xx&url=https://evil.example`, {
      redirect: 'manual',
      headers: { 'user-agent': 'Mozilla/5.0' },
    });
    expect(response.status).toBe(302);
    const target = new URL(response.headers.get('location') ?? '');
    expect(target.origin).toBe('https://shop.example');
    expect(target.searchParams.get('utm_source')).toBe('empfehlung');
    expect(target.searchParams.get('lang')).toBe('de');
    expect(target.searchParams.has('url')).toBe(false);
  });
});
