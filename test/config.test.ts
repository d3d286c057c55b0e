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

  it('requires a session secret in production and both admin variables together', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/SESSION_SECRET/);
    expect(() => loadConfig({ ADMIN_EMAIL: 'a@b.de' })).toThrow(/ADMIN_EMAIL and ADMIN_PASSWORD/);
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
