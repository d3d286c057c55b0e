/**
 * `plausch doctor`: each check against a deliberately broken and a healthy set-up. The platforms' "who am
 * I" endpoints are the fakes' (through TELEGRAM_API_ROOT / META_GRAPH_API_ROOT); one run goes through the
 * real command line for the table and the exit code.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { checkFlows } from '../../src/cli/doctor-command.js';
import { type CheckResult, doctorExitCode, runDoctor } from '../../src/doctor/checks.js';
import { formatDoctorReport } from '../../src/doctor/report.js';
import { openStore } from '../../src/store/database.js';
import { FakeGraphApi } from '../fakes/graph-api.js';
import { FakeTelegramBotApi } from '../fakes/telegram-bot-api.js';
import { freePort } from '../fault/server-process.js';
import { createTestDatabase, type TestStoreHandle } from '../support/stores.js';

const root = resolve(import.meta.dirname, '..', '..');
const scratch = mkdtempSync(join(tmpdir(), 'plausch-doctor-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const TELEGRAM_TOKEN = '123456:TEST-token-abcdefghijklmnopqrstuvwxyz012';

const byCheck = (results: readonly CheckResult[], check: string) => {
  const found = results.find((r) => r.check === check);
  if (!found) throw new Error(`no check "${check}" in ${results.map((r) => r.check).join(', ')}`);
  return found;
};

describe('plausch doctor', () => {
  let handle: TestStoreHandle | undefined;
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
    await handle?.dispose();
    handle = undefined;
  });

  it('passes a healthy production set-up, asking Telegram and the Graph API who the credentials belong to', async () => {
    handle = await createTestDatabase('sqlite');
    await (await handle.open()).close();
    const telegram = await FakeTelegramBotApi.start({ token: TELEGRAM_TOKEN });
    const graph = await FakeGraphApi.start();
    closers.push(
      () => telegram.close(),
      () => graph.close(),
    );
    const results = await runDoctor({
      env: {
        NODE_ENV: 'production',
        PUBLIC_URL: 'https://chat.bohnenglueck.de',
        ERASURE_HASH_KEY: 'a-long-random-secret-for-the-ledger',
        FLOWS_DIR: join(root, 'flows'),
        ...handle.env,
        TELEGRAM_BOT_TOKEN: TELEGRAM_TOKEN,
        TELEGRAM_API_ROOT: telegram.apiRoot,
        TELEGRAM_BOT_USERNAME: 'bohnenglueck_bot',
        TELEGRAM_WEBHOOK_SECRET: 'doctor-secret',
        WHATSAPP_CLOUD_TOKEN: graph.options.whatsappToken,
        WHATSAPP_CLOUD_PHONE_NUMBER_ID: graph.options.phoneNumberId,
        META_APP_SECRET: 'app-secret',
        META_VERIFY_TOKEN: 'verify',
        META_GRAPH_API_ROOT: graph.root,
      },
      checkFlows,
    });
    const report = formatDoctorReport(results);
    expect(
      results.filter((r) => r.status !== 'ok'),
      report,
    ).toEqual([]);
    expect(doctorExitCode(results)).toBe(0);
    expect(byCheck(results, 'Telegram token').detail).toBe('getMe: @bohnenglueck_bot');
    expect(byCheck(results, 'WhatsApp Cloud token').detail).toContain('Bohnenglück');
    expect(byCheck(results, 'Telegram webhook').detail).toContain(
      'https://chat.bohnenglueck.de/webhooks/telegram',
    );
    expect(byCheck(results, 'WhatsApp Cloud webhook').detail).toContain(
      'https://chat.bohnenglueck.de/webhooks/whatsapp',
    );
    expect(byCheck(results, 'migrations').detail).toBe('up to date');
    expect(byCheck(results, 'flows').detail).toMatch(/\d+ flows, \d+ steps/);
    expect(report).toContain('everything checked is fine');
  });

  it('names every problem of a broken set-up with what to do, and fails', async () => {
    const deadPort = await freePort();
    const badFlows = join(scratch, 'bad-flows');
    mkdirSync(badFlows, { recursive: true });
    writeFileSync(join(badFlows, 'broken.yaml'), 'id: broken\nsteps:\n  a:\n    goto: nowhere\n');
    const blocker = join(scratch, 'a-file');
    writeFileSync(blocker, 'not a directory');
    const results = await runDoctor({
      env: {
        NODE_ENV: 'production',
        PUBLIC_URL: 'http://chat.bohnenglueck.de',
        ERASURE_HASH_KEY: 'a-long-random-secret-for-the-ledger',
        DATABASE_URL: `postgres://plausch:secret@127.0.0.1:${deadPort}/plausch`,
        FLOWS_DIR: badFlows,
        TELEGRAM_BOT_TOKEN: 'not-a-token',
        TELEGRAM_WEBHOOK_SECRET: 'doctor-secret',
        WHATSAPP_WEB_ENABLED: 'true',
        // A file where the directory should be (permissions would not stop a test running as root).
        WHATSAPP_WEB_SESSION_DIR: join(blocker, 'session'),
        PUPPETEER_EXECUTABLE_PATH: join(scratch, 'no-chromium-here'),
      },
      checkFlows,
    });
    const report = formatDoctorReport(results);
    expect(doctorExitCode(results)).toBe(1);
    expect(byCheck(results, 'public URL')).toMatchObject({ status: 'error' });
    const database = byCheck(results, 'database');
    expect(database.status).toBe('error');
    expect(database.detail).toContain('plausch:***@');
    expect(database.detail).not.toContain('secret');
    expect(byCheck(results, 'flows')).toMatchObject({ status: 'error' });
    expect(byCheck(results, 'Telegram token')).toMatchObject({ status: 'error' });
    expect(byCheck(results, 'Telegram token').fix).toContain('BotFather');
    expect(byCheck(results, 'Telegram webhook')).toMatchObject({ status: 'error' });
    expect(byCheck(results, 'Chromium (WhatsApp Web)')).toMatchObject({ status: 'error' });
    expect(byCheck(results, 'WhatsApp Web session directory')).toMatchObject({ status: 'error' });
    for (const failed of results.filter((r) => r.status === 'error')) {
      expect(failed.fix, failed.check).toBeTruthy();
      expect(report).toContain(`→ ${failed.fix?.split(' ').slice(0, 3).join(' ')}`);
    }
  });

  it('reports a revoked Telegram token from getMe, a pending migration and a missing database file', async () => {
    const telegram = await FakeTelegramBotApi.start({
      token: '999999:another-token-abcdefghijklmnopqrstuvwxy',
    });
    closers.push(() => telegram.close());
    const path = join(scratch, 'unmigrated.sqlite');
    const bare = openStore({ databaseUrl: '', sqlitePath: path });
    await bare.close();
    const env = {
      NODE_ENV: 'development',
      FLOWS_DIR: join(root, 'flows'),
      SQLITE_PATH: path,
      TELEGRAM_BOT_TOKEN: TELEGRAM_TOKEN,
      TELEGRAM_API_ROOT: telegram.apiRoot,
    };
    const results = await runDoctor({ env, checkFlows });
    expect(byCheck(results, 'Telegram token')).toMatchObject({ status: 'error' });
    expect(byCheck(results, 'Telegram token').detail).toMatch(/^getMe: 401/);
    expect(byCheck(results, 'migrations')).toMatchObject({ status: 'warn' });
    expect(byCheck(results, 'migrations').fix).toContain('plausch db migrate');

    const offline = await runDoctor({
      env: { ...env, SQLITE_PATH: join(scratch, 'nothing-yet', 'plausch.sqlite') },
      checkFlows,
      offline: true,
    });
    expect(byCheck(offline, 'Telegram token')).toMatchObject({ status: 'skip' });
    expect(byCheck(offline, 'database')).toMatchObject({ status: 'warn' });
    expect(byCheck(offline, 'data directory')).toMatchObject({ status: 'ok' });
    expect(doctorExitCode(offline)).toBe(0);
  });

  it('on the command line: lists every configuration problem at once and exits 1', async () => {
    const child = spawn(process.execPath, [join(root, 'bin', 'plausch.mjs'), 'doctor', '--offline'], {
      cwd: scratch,
      env: { PATH: process.env.PATH ?? '', HOME: scratch, PORT: 'abc', DATABASE_URL: 'nonsense' },
    });
    let stdout = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(1);
    expect(stdout).toMatch(/^STATUS\s+CHECK\s+RESULT/);
    expect(stdout).toMatch(/ERROR\s+configuration PORT/);
    expect(stdout).toMatch(/ERROR\s+configuration DATABASE_URL/);
    expect(stdout).toContain('→ fix the variable');
  });
});
