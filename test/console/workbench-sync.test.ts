/**
 * Workbench saves across instances on one database: two app instances, each with its own copy of the flows
 * (the hard case — a shared folder only needs the reload), one schema. A save on A is written into B's
 * folder and B's running bot uses it; on PostgreSQL B hears it through NOTIFY (its poll timer is off here),
 * on SQLite it finds it on its timer. A marketer on B who opened the file before A's save gets the conflict,
 * and a file B has of its own (a deploy) is never overwritten. The claim itself refuses the second of two
 * saves from the same state.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FlowsFolder } from '../../src/features/workbench/files.js';
import { WorkbenchSync } from '../../src/features/workbench/sync.js';
import { silentLogger } from '../../src/logger.js';
import { inbound, waitFor } from '../runtime/helpers.js';
import {
  createTestDatabase,
  dialectsUnderTest,
  notePostgresSkipped,
  type TestStoreHandle,
} from '../support/stores.js';
import { addStaff, ConsoleClient, type ConsoleInstance, startConsoleInstance } from './support.js';

notePostgresSkipped();

describe.each(dialectsUnderTest)('workbench saves across two instances on %s', (dialect) => {
  let handle: TestStoreHandle | undefined;
  const instances: ConsoleInstance[] = [];
  const folders: string[] = [];

  afterEach(async () => {
    for (const instance of instances.splice(0)) await instance.stop();
    await handle?.dispose();
    handle = undefined;
    for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
  });

  function copyOfFlows(): string {
    const dir = join(mkdtempSync(join(tmpdir(), 'plausch-wb-sync-')), 'flows');
    cpSync('flows', dir, { recursive: true });
    folders.push(dir);
    return dir;
  }

  async function twoInstances(options: { gitB?: boolean } = {}) {
    handle = await createTestDatabase(dialect);
    const dirA = copyOfFlows();
    const dirB = copyOfFlows();
    if (options.gitB) {
      const git = (...args: string[]) => execFileSync('git', args, { cwd: dirB, stdio: 'pipe' });
      git('init', '--quiet');
      git('add', '.');
      git('-c', 'user.name=Dev', '-c', 'user.email=dev@example.org', 'commit', '--quiet', '-m', 'deployed');
    }
    // On PostgreSQL the timer is off, so only the NOTIFY can bring the save to B in time.
    const interval = dialect === 'postgres' ? '0' : '100';
    const env = { WORKBENCH_VERSIONS: 'store', WORKBENCH_SYNC_INTERVAL_MS: interval };
    const storeA = await handle.open();
    const a = await startConsoleInstance(storeA, { flowsDir: dirA, instanceId: 'wb-a', env });
    instances.push(a);
    const b = await startConsoleInstance(await handle.open(), {
      flowsDir: dirB,
      instanceId: 'wb-b',
      env: { ...env, WORKBENCH_VERSIONS: options.gitB ? 'git' : 'store' },
    });
    instances.push(b);
    await addStaff(storeA, 'mia@bohnenglueck.de', 'marketer', null, 'Mia');
    await addStaff(storeA, 'max@bohnenglueck.de', 'marketer', null, 'Max');
    const login = async (instance: ConsoleInstance, email: string) => {
      const client = new ConsoleClient(instance.baseUrl);
      expect((await client.login(email)).status).toBe(200);
      return client;
    };
    return {
      a,
      b,
      dirA,
      dirB,
      mia: await login(a, 'mia@bohnenglueck.de'),
      max: await login(b, 'max@bohnenglueck.de'),
    };
  }

  const greeting = (instance: ConsoleInstance) =>
    JSON.stringify(instance.plausch.flows.current().flows.get('welcome')?.definition.steps.first_hello?.say);

  it('a save on A reaches B: written into its folder, reloaded, used by its bot; B’s stale editor gets the conflict', async () => {
    const { b, dirB, mia, max } = await twoInstances();
    const forMax = await max.json<{ text: string; hash: string }>(
      'GET',
      '/console/api/workbench/file?path=welcome.yaml',
    );
    const opened = await mia.json<{ text: string; hash: string }>(
      'GET',
      '/console/api/workbench/file?path=welcome.yaml',
    );
    const changed = opened.body.text.replace(
      'Schön, dass du bei der Kaffeerösterei',
      'Moin bei der Rösterei',
    );
    const saved = await mia.json('POST', '/console/api/workbench/save', {
      path: 'welcome.yaml',
      text: changed,
      baseHash: opened.body.hash,
    });
    expect(saved.status).toBe(200);

    await waitFor(
      () => greeting(b).includes('Moin bei der Rösterei'),
      'instance B reloading A’s save',
      15_000,
    );
    expect(readFileSync(join(dirB, 'welcome.yaml'), 'utf8')).toBe(changed);
    await b.plausch.runtime.accept(inbound('tg-sync-1', 'Hallo', { profile: { firstName: 'Clara' } }));
    await b.plausch.runtime.whenIdle();
    // B ran the turn; on PostgreSQL the outbox is shared, so either instance's worker may send the reply.
    await waitFor(
      () =>
        instances.some((instance) =>
          instance.adapter.textsTo('tg-sync-1').some((text) => text?.includes('Moin bei der Rösterei')),
        ),
      'B’s bot greeting with the text saved on A',
    );

    // Max opened the file on B before Mia's save: his save is refused with her change, never an overwrite.
    const conflict = await max.json<{ lastVersion: { author: { name: string } }; current: { text: string } }>(
      'POST',
      '/console/api/workbench/save',
      {
        path: 'welcome.yaml',
        text: forMax.body.text.replace('Ich bin der Chat-Assistent', 'Ich bin der Bot'),
        baseHash: forMax.body.hash,
      },
    );
    expect(conflict.status).toBe(409);
    expect(conflict.body.lastVersion.author.name).toBe('Mia');
    expect(conflict.body.current.text).toBe(changed);

    // From the current text his save goes through and comes back to A the same way.
    const reopened = await max.json<{ text: string; hash: string }>(
      'GET',
      '/console/api/workbench/file?path=welcome.yaml',
    );
    const second = reopened.body.text.replace('Ich bin der Chat-Assistent', 'Ich bin der Bot');
    expect(
      (
        await max.json('POST', '/console/api/workbench/save', {
          path: 'welcome.yaml',
          text: second,
          baseHash: reopened.body.hash,
        })
      ).status,
    ).toBe(200);
    await waitFor(() => greeting(instances[0]!).includes('Ich bin der Bot'), 'instance A reloading B’s save');
  }, 60_000);

  it('commits a save that reaches an instance whose flows are a git checkout, with the marketer as author', async () => {
    const { b, dirB, mia } = await twoInstances({ gitB: true });
    const opened = await mia.json<{ text: string; hash: string }>(
      'GET',
      '/console/api/workbench/file?path=welcome.yaml',
    );
    const changed = opened.body.text.replace('Ich bin der Chat-Assistent', 'Ich bin die Chat-Assistentin');
    expect(
      (
        await mia.json('POST', '/console/api/workbench/save', {
          path: 'welcome.yaml',
          text: changed,
          baseHash: opened.body.hash,
        })
      ).status,
    ).toBe(200);
    await waitFor(() => greeting(b).includes('Chat-Assistentin'), 'instance B reloading A’s save', 15_000);
    await b.plausch.workbench.syncNow();
    const log = execFileSync('git', ['log', '-1', '--format=%an <%ae>|%s', '--', 'welcome.yaml'], {
      cwd: dirB,
    }).toString();
    expect(log.trim()).toBe('Mia <mia@bohnenglueck.de>|welcome.yaml: changed in the workbench by Mia');
    expect(execFileSync('git', ['status', '--porcelain'], { cwd: dirB }).toString().trim()).toBe('');
  }, 60_000);

  it('never overwrites a file an instance has of its own, and the claim refuses two saves from one state', async () => {
    const { b, dirB, mia } = await twoInstances();
    // B was deployed with its own faq/shop.yaml: A's save of that file must not replace it.
    const own = `${readFileSync(join(dirB, 'faq/shop.yaml'), 'utf8')}\n# deployed on B only\n`;
    writeFileSync(join(dirB, 'faq/shop.yaml'), own);
    const opened = await mia.json<{ text: string; hash: string }>(
      'GET',
      '/console/api/workbench/file?path=faq/shop.yaml',
    );
    const saved = await mia.json('POST', '/console/api/workbench/save', {
      path: 'faq/shop.yaml',
      text: `${opened.body.text}\n# saved on A\n`,
      baseHash: opened.body.hash,
    });
    expect(saved.status).toBe(200);
    // Once B has caught up (its own run, in its save lock), its own file is still there; so does a fresh look.
    await b.plausch.workbench.syncNow();
    expect(readFileSync(join(dirB, 'faq/shop.yaml'), 'utf8')).toBe(own);
    const syncB = new WorkbenchSync({
      store: b.plausch.store,
      folder: new FlowsFolder(dirB),
      instanceId: 'wb-probe',
      logger: silentLogger,
      now: () => new Date(),
    });
    expect(await syncB.catchUp()).toEqual([]);
    expect(readFileSync(join(dirB, 'faq/shop.yaml'), 'utf8')).toBe(own);

    // Two instances that both know revision 1 of a path: only one of them may claim revision 2.
    const first = new WorkbenchSync({
      store: b.plausch.store,
      folder: new FlowsFolder(dirB),
      instanceId: 'wb-x',
      logger: silentLogger,
      now: () => new Date(),
    });
    const secondSync = new WorkbenchSync({
      store: b.plausch.store,
      folder: new FlowsFolder(dirB),
      instanceId: 'wb-y',
      logger: silentLogger,
      now: () => new Date(),
    });
    await first.start();
    await secondSync.start();
    const claim = (sync: WorkbenchSync, text: string) =>
      sync.claim({
        path: 'faq/shop.yaml',
        baseHash: 'whatever',
        text,
        author: { name: 'T', email: 't@example.org' },
      });
    expect(await claim(first, 'one')).toBe(2);
    expect(await claim(secondSync, 'two')).toBe(false);
  }, 60_000);
});
