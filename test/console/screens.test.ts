import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createScreenBundler } from '../../src/console/screen-bundles.js';
import { createTestDatabase, dialectsUnderTest, type TestStoreHandle } from '../support/stores.js';
import { addStaff, ConsoleClient, type ConsoleInstance, startConsoleInstance } from './support.js';

const fixtures = join(import.meta.dirname, 'fixtures', 'screens');

describe('console screen bundles', () => {
  const bundler = createScreenBundler({ screensDir: fixtures, watch: false });
  afterAll(() => bundler.close());

  it('bundles a Preact screen with its stylesheet into one module exporting mount', async () => {
    const bundle = await bundler.bundle('hello');
    expect(bundle).not.toBeNull();
    expect(bundle!.js).toMatch(/export\s*\{[^}]*\bmount\b/);
    // Preact is bundled in, not imported from anywhere at run time.
    expect(bundle!.js).not.toMatch(/from\s*["']preact/);
    expect(bundle!.css).toContain('hello-screen-marker');
  });

  it('knows only screens that exist, whatever the name asked for', async () => {
    expect(await bundler.bundle('nosuch')).toBeNull();
    expect(await bundler.bundle('../screens/hello')).toBeNull();
    expect(await bundler.bundle('Hello')).toBeNull();
  });

  it('reports a screen that does not build with esbuild’s message, and tries again next time', async () => {
    await expect(bundler.bundle('broken')).rejects.toThrow(/nowhere/);
    await expect(bundler.bundle('broken')).rejects.toThrow(/nowhere/);
  });
});

describe.each(dialectsUnderTest)('console roles and capabilities on %s', (dialect) => {
  let handle: TestStoreHandle | undefined;
  let instance: ConsoleInstance | undefined;
  afterEach(async () => {
    await instance?.stop();
    await handle?.dispose();
    instance = undefined;
    handle = undefined;
  });

  it('gives a marketer the marketing screens but not the inbox; agents the inbox only', async () => {
    handle = await createTestDatabase(dialect);
    const store = await handle.open();
    instance = await startConsoleInstance(store);
    await addStaff(store, 'mara@example.com', 'marketer', null, 'Mara');
    await addStaff(store, 'anna@example.com', 'agent', 'service', 'Anna');
    await addStaff(store, 'ada@example.com', 'admin', null, 'Ada');
    const signIn = async (email: string) => {
      const client = new ConsoleClient(instance!.baseUrl);
      expect((await client.login(email)).status).toBe(200);
      return client;
    };
    const mara = await signIn('mara@example.com');
    const anna = await signIn('anna@example.com');
    const ada = await signIn('ada@example.com');

    expect((await mara.json('GET', '/console/api/me')).body.capabilities).toEqual(['marketing']);
    expect((await anna.json('GET', '/console/api/me')).body.capabilities).toEqual(['inbox']);
    expect((await ada.json('GET', '/console/api/me')).body.capabilities).toEqual(
      expect.arrayContaining(['inbox', 'supervise', 'marketing', 'administer']),
    );
    expect((await mara.json('GET', '/console/api/conversations?view=open')).status).toBe(403);
    expect((await anna.json('GET', '/console/api/conversations?view=open')).status).toBe(200);
    expect((await mara.json('GET', '/console/api/metrics')).status).toBe(403);

    const missing = await fetch(`${instance.baseUrl}/console/assets/screens/nosuch.js`);
    expect(missing.status).toBe(404);
    const hostile = await fetch(`${instance.baseUrl}/console/assets/screens/..%2Fapp.js`);
    expect(hostile.status).toBe(404);
  });
});
