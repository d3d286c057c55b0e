/**
 * Sign-in throttling under parallel guesses, on SQLite and PostgreSQL: the limit check and the count are one
 * atomic step before the password is checked, so a burst cannot slip through while scrypt runs.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { setPasswordHashCost } from '../../src/console/auth/password.js';
import {
  createTestDatabase,
  dialectsUnderTest,
  notePostgresSkipped,
  type TestStoreHandle,
} from '../support/stores.js';
import { addStaff, ConsoleClient, type ConsoleInstance, startConsoleInstance } from './support.js';

notePostgresSkipped();

describe.each(dialectsUnderTest)('login throttling under parallel requests on %s', (dialect) => {
  let handle: TestStoreHandle | undefined;
  let instance: ConsoleInstance | undefined;
  afterEach(async () => {
    setPasswordHashCost(10);
    await instance?.stop();
    await handle?.dispose();
    instance = undefined;
    handle = undefined;
  });

  async function setup() {
    // A slower hash widens the window between check and count, as in production.
    setPasswordHashCost(13);
    handle = await createTestDatabase(dialect);
    const store = await handle.open();
    instance = await startConsoleInstance(store);
    await addStaff(store, 'anna@bohnenglueck.de', 'agent', 'service', 'Anna');
    return instance;
  }

  it('answers 429 to a burst of 40 parallel wrong passwords once the limit is reached', async () => {
    const { baseUrl } = await setup();
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        new ConsoleClient(baseUrl).login('anna@bohnenglueck.de', `wrong-password-${i}`),
      ),
    );
    const statuses = answers.map((a) => a.status);
    const failed = statuses.filter((s) => s === 401).length;
    const throttled = statuses.filter((s) => s === 429).length;
    console.log(`40 parallel wrong passwords: ${failed} × 401, ${throttled} × 429`);
    // Five per account may be tried; every other one is refused before its password is looked at.
    expect(failed).toBe(5);
    expect(throttled).toBe(35);
  });

  it('refuses the right password sent in a burst after 12 wrong ones', async () => {
    const { baseUrl } = await setup();
    const wrong = Array.from({ length: 12 }, (_, i) =>
      new ConsoleClient(baseUrl).login('anna@bohnenglueck.de', `wrong-password-${i}`),
    );
    // Let the twelve reach the server first (their reservations are taken on arrival).
    await new Promise((resolve) => setImmediate(resolve));
    const right = new ConsoleClient(baseUrl).login('anna@bohnenglueck.de');
    const statuses = (await Promise.all(wrong)).map((a) => a.status);
    expect((await right).status).toBe(429);
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(5);
  });
});
