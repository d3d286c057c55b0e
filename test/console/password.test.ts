import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import {
  DEFAULT_PASSWORD_HASH_COST,
  hashPassword,
  setPasswordHashCost,
  verifyPassword,
} from '../../src/console/auth/password.js';

describe('password hashing cost', () => {
  afterEach(() => setPasswordHashCost(10));

  it('is strong by default and cheap when configured; old hashes verify at their own cost', async () => {
    setPasswordHashCost(DEFAULT_PASSWORD_HASH_COST);
    const strong = await hashPassword('kaffee-bohne-2026');
    expect(strong.split('$')[1]).toBe(String(2 ** 15));
    setPasswordHashCost(10);
    const cheap = await hashPassword('kaffee-bohne-2026');
    expect(cheap.split('$')[1]).toBe('1024');
    expect(await verifyPassword('kaffee-bohne-2026', strong)).toBe(true);
    expect(await verifyPassword('kaffee-bohne-2026', cheap)).toBe(true);
    expect(await verifyPassword('wrong-password', cheap)).toBe(false);
  });

  it('is validated as configuration', () => {
    expect(loadConfig({ PASSWORD_HASH_COST: '12' }).PASSWORD_HASH_COST).toBe(12);
    expect(loadConfig({}).PASSWORD_HASH_COST).toBeUndefined();
    expect(() => loadConfig({ PASSWORD_HASH_COST: '4' })).toThrow(
      /PASSWORD_HASH_COST: must be a whole number/,
    );
    expect(() => setPasswordHashCost(30)).toThrow(RangeError);
  });
});
