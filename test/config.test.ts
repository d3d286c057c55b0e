import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

describe('loadConfig', () => {
  it('runs on an empty environment with the embedded defaults', () => {
    const config = loadConfig({});
    expect(config.PORT).toBe(3000);
    expect(config.DATABASE_URL).toBe('');
    expect(config.SQLITE_PATH).toBe('./data/plausch.sqlite');
    expect(config.WEBCHAT_ENABLED).toBe(true);
    expect(config.API_TOKENS).toEqual([]);
  });

  it('lists every problem at once, including rules between variables', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'abc', WHATSAPP_CLOUD_TOKEN: 'x', TELEGRAM_WEBHOOK_SECRET: 'no spaces allowed' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toEqual(
      expect.arrayContaining([
        'PORT: must be a port number (0-65535)',
        expect.stringMatching(/^TELEGRAM_WEBHOOK_SECRET: /),
        expect.stringMatching(/^META_APP_SECRET: required/),
        expect.stringMatching(/^WHATSAPP_CLOUD_PHONE_NUMBER_ID: required/),
      ]),
    );
  });

  it('requires PUBLIC_URL in production and both admin variables together', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/PUBLIC_URL: required in production/);
    // ERASURE_HASH_KEY is required in production too (added with GDPR erasure).
    expect(
      loadConfig({
        NODE_ENV: 'production',
        PUBLIC_URL: 'https://chat.example',
        ERASURE_HASH_KEY: 'k'.repeat(40),
      }).PUBLIC_URL,
    ).toBe('https://chat.example');
    expect(() => loadConfig({ ADMIN_EMAIL: 'a@b.de' })).toThrow(/ADMIN_EMAIL and ADMIN_PASSWORD/);
  });

  it('derives PUBLIC_URL from PORT and HOST in development', () => {
    expect(loadConfig({ PORT: '8080' }).PUBLIC_URL).toBe('http://localhost:8080');
    expect(loadConfig({}).PUBLIC_URL).toBe('http://localhost:3000');
    expect(loadConfig({ PORT: '4000', HOST: '192.168.1.20' }).PUBLIC_URL).toBe('http://192.168.1.20:4000');
    expect(loadConfig({ PORT: '4000', HOST: '::1' }).PUBLIC_URL).toBe('http://[::1]:4000');
  });

  it('lists PORT and DATABASE_URL problems together, in one format', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'abc', DATABASE_URL: 'nonsense' });
    } catch (caught) {
      error = caught;
    }
    const problems = (error as ConfigError).problems;
    expect(problems).toHaveLength(2);
    expect(problems[0]).toBe('PORT: must be a port number (0-65535)');
    expect(problems[1]).toMatch(/^DATABASE_URL: must be empty \(SQLite/);
    expect(loadConfig({ DATABASE_URL: 'postgres://u:p@db/plausch' }).DATABASE_URL).toContain('postgres://');
    expect(loadConfig({ DATABASE_URL: 'sqlite:./x.sqlite' }).DATABASE_URL).toBe('sqlite:./x.sqlite');
  });

  it('refuses Bot Framework without an app id in production', () => {
    expect(() =>
      loadConfig({ NODE_ENV: 'production', PUBLIC_URL: 'https://x.example', BOTFRAMEWORK_ENABLED: 'true' }),
    ).toThrow(/MICROSOFT_APP_ID: required in production/);
    expect(loadConfig({ BOTFRAMEWORK_ENABLED: 'true' }).BOTFRAMEWORK_ENABLED).toBe(true);
  });

  it('trusts no proxy unless TRUST_PROXY says which', () => {
    expect(loadConfig({}).TRUST_PROXY).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '2' }).TRUST_PROXY).toBe(2);
    expect(loadConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8, fd00::/8' }).TRUST_PROXY).toEqual([
      'loopback',
      '10.0.0.0/8',
      'fd00::/8',
    ]);
    expect(() => loadConfig({ TRUST_PROXY: 'true' })).toThrow(/TRUST_PROXY: .*would trust any client/);
    expect(() => loadConfig({ TRUST_PROXY: '10.0.0.0/99' })).toThrow(/TRUST_PROXY/);
  });

  it('parses flags and lists', () => {
    const config = loadConfig({
      WEBCHAT_ENABLED: 'false',
      API_TOKENS: 'one, two ,',
      BOTFRAMEWORK_ENABLED: 'yes',
    });
    expect(config.WEBCHAT_ENABLED).toBe(false);
    expect(config.BOTFRAMEWORK_ENABLED).toBe(true);
    expect(config.API_TOKENS).toEqual(['one', 'two']);
    expect(() => loadConfig({ WEBCHAT_ENABLED: 'maybe' })).toThrow(/WEBCHAT_ENABLED: must be true or false/);
  });
});
