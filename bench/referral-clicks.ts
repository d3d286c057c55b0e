/**
 * Clicks per second through GET /r/<code> (look-up, bot check, salted hash, click row, unique-per-day row,
 * 302 with UTM) over real HTTP, against a baseline static 302 route on the same server in the same run.
 * `npx tsx bench/referral-clicks.ts [seconds-per-case=5] [concurrency=16]`; SQLite in a temp dir by default,
 * PostgreSQL when BENCH_DATABASE_URL is set.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { loadConfig } from '../src/config.js';
import { getOrCreateCode } from '../src/features/referrals/codes.js';
import { createReferralsFeature } from '../src/features/referrals/index.js';
import { parseReferralProgram } from '../src/features/referrals/program-loader.js';
import type { ReferralTables } from '../src/features/referrals/tables.js';
import { silentLogger } from '../src/logger.js';
import { openStore } from '../src/store/database.js';
import { newId } from '../src/store/ids.js';
import { migrateToLatest } from '../src/store/migrate.js';

const seconds = Number(process.argv[2] ?? 5);
const concurrency = Number(process.argv[3] ?? 16);

const dir = mkdtempSync(join(tmpdir(), 'plausch-bench-'));
const store = openStore({
  databaseUrl: process.env.BENCH_DATABASE_URL ?? '',
  sqlitePath: join(dir, 'bench.sqlite'),
});
await migrateToLatest(store);

const program = parseReferralProgram(
  `default_campaign: freunde
campaigns:
  freunde:
    landing_url: https://shop.example/freunde?lang=de
    utm: { source: empfehlung, medium: messenger, campaign: freunde }
    share_text: "{{link}}"
`,
  'bench.yaml',
);
const config = loadConfig({ PUBLIC_URL: 'http://127.0.0.1', REFERRAL_IP_SALT: 'bench-salt' });
const feature = await createReferralsFeature(
  { store, config, logger: silentLogger, now: () => new Date() },
  { program },
);

const contactId = newId();
await store.db
  .insertInto('contacts')
  .values({
    id: contactId,
    channel: 'telegram',
    channel_contact_id: `bench-${contactId}`,
    display_name: 'Bench',
    first_name: null,
    last_name: null,
    username: null,
    phone: null,
    locale: 'de',
    tags: '[]',
    attributes: '{}',
    reply_address: null,
    created_at: Date.now(),
    last_inbound_at: null,
  })
  .execute();
const { code } = await getOrCreateCode(
  store.db.withTables<ReferralTables>(),
  { contactId, channel: 'telegram' },
  'freunde',
  new Date(),
);

const app = express();
app.set('trust proxy', 1);
app.get('/baseline', (_req, res) => {
  res.redirect(302, 'https://shop.example/freunde?lang=de&utm_source=empfehlung');
});
if (feature.publicRouter) app.use(feature.publicRouter);
const server = app.listen(0, '127.0.0.1');
await new Promise<void>((resolve) => server.once('listening', () => resolve()));
const { port } = server.address() as AddressInfo;
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });

function request(path: string, ip: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get(
      {
        host: '127.0.0.1',
        port,
        path,
        agent,
        headers: { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64)', 'x-forwarded-for': ip },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
  });
}

async function measure(path: string): Promise<{ perSecond: number; requests: number }> {
  const until = Date.now() + seconds * 1000;
  let requests = 0;
  let n = 0;
  const worker = async () => {
    while (Date.now() < until) {
      n += 1;
      // Many visitors, so unique-per-day rows are written as in real traffic.
      const status = await request(path, `198.51.${(n >> 8) & 255}.${n & 255}`);
      if (status !== 302) throw new Error(`${path} answered ${status}`);
      requests += 1;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { perSecond: requests / ((performance.now() - started) / 1000), requests };
}

await measure('/baseline'); // warm-up
const baseline = await measure('/baseline');
const clicks = await measure(`/r/${code}`);
const rows = await store.db
  .withTables<ReferralTables>()
  .selectFrom('referral_clicks')
  .select((eb) => eb.fn.countAll<number>().as('n'))
  .executeTakeFirst();

console.log(
  `referral clicks over HTTP (${store.dialect}, ${concurrency} concurrent, ${seconds}s per case, node ${process.version})`,
);
console.log('| route | requests | per second | ratio to baseline |');
console.log('|---|---:|---:|---:|');
console.log(
  `| GET /baseline (static 302) | ${baseline.requests} | ${baseline.perSecond.toFixed(0)} | 1.00 |`,
);
console.log(
  `| GET /r/<code> (recorded click) | ${clicks.requests} | ${clicks.perSecond.toFixed(0)} | ${(clicks.perSecond / baseline.perSecond).toFixed(2)} |`,
);
console.log(`click rows stored: ${Number(rows?.n ?? 0)}`);

agent.destroy();
server.close();
await store.close();
rmSync(dir, { recursive: true, force: true });
