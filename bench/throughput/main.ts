/**
 * `npm run bench`: the throughput, latency, memory and pacing figures of issue 10, each next to its
 * baseline measured in the same run (express echo, a telegraf bot, a botbuilder bot, one instance), as ONE
 * table, and the raw figures as JSON under bench/results/. Plausch runs as `npm start` runs it: compiled
 * JavaScript from dist/ (`npm run bench` builds first), Telegram in webhook mode against the fake Bot API.
 *
 *   npm run bench                 full sizes (≈ 10 min on 2 cores)
 *   npm run bench -- --quick      small sizes for development (≈ 2 min)
 *   npm run bench -- --only=e2e   one group: ingest, e2e, scale, memory, broadcast
 * PostgreSQL: TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test); without a reachable
 * server the PostgreSQL rows say "skipped".
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import pg from 'pg';
import { FakeTelegramBotApi } from '../../test/fakes/telegram-bot-api.js';
import { closedLoop, openLoop, percentile, ReplyTracker, telegramUpdate } from './load.js';
import {
  benchFlowsDir,
  ROOT,
  type Server,
  startPeer,
  startPlausch,
  TELEGRAM_TOKEN,
  WEBHOOK_SECRET,
} from './processes.js';
import { printTable, type Row } from './report.js';
import { seedBroadcast, seedHistory } from './seed.js';

const quick = process.argv.includes('--quick');
const only = process.argv.find((a) => a.startsWith('--only='))?.slice(7);
const postgresUrl = process.env.TEST_DATABASE_URL?.trim() || 'postgres://postgres@127.0.0.1:5432/test';

const SIZES = quick
  ? {
      chats: 200,
      perChat: 5,
      users: 50,
      ingestSeconds: 3,
      halfCount: 600,
      memorySmall: 1_000,
      memoryLarge: 10_000,
      recipients: 300,
    }
  : {
      chats: 2_000,
      perChat: 5,
      users: 50,
      ingestSeconds: 10,
      halfCount: 2_000,
      memorySmall: 1_000,
      memoryLarge: 100_000,
      recipients: 3_000,
    };
const HISTORY_MESSAGES = 20;
const TELEGRAM_RATE = 30;

const rows: Row[] = [];
const benchStart = performance.now();
/** Progress on stderr, so the table on stdout stays clean. */
const step = (what: string) =>
  process.stderr.write(`[bench ${((performance.now() - benchStart) / 1000).toFixed(0)} s] ${what}\n`);
const raw: Record<string, unknown> = { sizes: SIZES, quick };
const wants = (group: string) => !only || only === group;

async function postgresReachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: postgresUrl, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    return false;
  }
}

/** A fresh schema per run; DATABASE_URL selects it through the connection's search_path. */
async function postgresSchema(): Promise<{ url: string; schema: string; drop: () => Promise<void> }> {
  const schema = `bench_${Math.random().toString(36).slice(2, 10)}`;
  const admin = new pg.Client({ connectionString: postgresUrl });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  const url = new URL(postgresUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    url: url.toString(),
    schema,
    drop: async () => {
      const client = new pg.Client({ connectionString: postgresUrl });
      await client.connect();
      await client.query(`drop schema ${schema} cascade`);
      await client.end();
    },
  };
}

async function ingest(port: number, chatBase: number): Promise<{ rps: number; p99: number; non2xx: number }> {
  let i = 0;
  const result = await autocannon({
    url: `http://127.0.0.1:${port}`,
    connections: 50,
    duration: SIZES.ingestSeconds,
    requests: [
      {
        method: 'POST',
        path: '/webhooks/telegram',
        headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': WEBHOOK_SECRET },
        setupRequest: (request) => ({
          ...request,
          body: telegramUpdate(chatBase + (i++ % SIZES.chats), 'Hallo'),
        }),
      },
    ],
  });
  return { rps: result.requests.average, p99: result.latency.p99, non2xx: result.non2xx + result.errors };
}

async function idleRss(server: Server): Promise<number> {
  // Let start-up garbage be collected and timers settle; then take the resident set.
  await new Promise((r) => setTimeout(r, 3_000));
  return server.rss();
}

async function withServer<T>(start: () => Promise<Server>, use: (s: Server) => Promise<T>): Promise<T> {
  const server = await start();
  try {
    return await use(server);
  } finally {
    await server.stop();
  }
}

async function main() {
  const started = performance.now();
  const fake = await FakeTelegramBotApi.start({ token: TELEGRAM_TOKEN });
  fake.recordCalls = false;
  const tracker = new ReplyTracker(fake);
  const flowsDir = benchFlowsDir();
  const pgOk = await postgresReachable();
  const plausch = (extra: Partial<Parameters<typeof startPlausch>[0]> = {}) =>
    startPlausch({ telegramApiRoot: fake.apiRoot, flowsDir, pacing: false, ...extra });
  let chatBase = 1_000_000;
  const nextChats = () => {
    chatBase += 1_000_000;
    return chatBase;
  };

  if (wants('ingest')) {
    step('ingest: express echo, then Plausch');
    const echo = await withServer(
      () => startPeer('express-echo.mjs'),
      (s) => ingest(s.port, nextChats()),
    );
    const ours = await withServer(
      () => plausch(),
      (s) => ingest(s.port, nextChats()),
    );
    raw.ingest = { echo, plausch: ours };
    rows.push(
      {
        figure: 'ingest req/s, 50 conn, SQLite',
        value: ours.rps,
        baseline: echo.rps,
        baselineName: 'express echo',
        target: { ratioAtLeast: 0.8 },
        note: `${ours.non2xx} non-2xx`,
      },
      {
        figure: 'ingest p99 ack ms, SQLite',
        value: ours.p99,
        baseline: echo.p99,
        baselineName: 'express echo',
        target: { atMost: 20 },
      },
    );
  }

  let telegrafPeak = Number.NaN;
  if (wants('e2e') || wants('scale')) {
    step('e2e: telegraf peer');
    const peer = await withServer(
      () =>
        startPeer('telegraf-bot.mjs', {
          TELEGRAM_BOT_TOKEN: TELEGRAM_TOKEN,
          TELEGRAM_API_ROOT: fake.apiRoot,
          TELEGRAM_WEBHOOK_SECRET: WEBHOOK_SECRET,
        }),
      async (s) => {
        const peak = await closedLoop({
          tracker,
          targets: [s.port],
          chats: SIZES.chats,
          perChat: SIZES.perChat,
          users: SIZES.users,
          firstChatId: nextChats(),
        });
        const half = await openLoop({
          tracker,
          target: s.port,
          rate: peak.perSecond / 2,
          count: SIZES.halfCount,
          chats: SIZES.chats,
          firstChatId: nextChats(),
        });
        return { peak, half };
      },
    );
    telegrafPeak = peer.peak.perSecond;
    raw.telegraf = summarize(peer);
    rows.push({
      figure: 'e2e msg/s telegraf peer (baseline)',
      value: peer.peak.perSecond,
      baseline: null,
      target: null,
      note: `p99 ${percentile(peer.peak.latenciesMs, 99).toFixed(1)} ms at peak`,
    });
  }

  const e2eRun = async (label: string, databaseUrl: string | undefined, ratio: number) => {
    step(`e2e: Plausch on ${label}`);
    const result = await withServer(
      () => plausch(databaseUrl ? { databaseUrl } : {}),
      async (s) => {
        const peak = await closedLoop({
          tracker,
          targets: [s.port],
          chats: SIZES.chats,
          perChat: SIZES.perChat,
          users: SIZES.users,
          firstChatId: nextChats(),
        });
        const half = await openLoop({
          tracker,
          target: s.port,
          rate: peak.perSecond / 2,
          count: SIZES.halfCount,
          chats: SIZES.chats,
          firstChatId: nextChats(),
        });
        return { peak, half };
      },
    );
    raw[`e2e-${label}`] = summarize(result);
    rows.push(
      {
        figure: `e2e msg/s ${label}`,
        value: result.peak.perSecond,
        baseline: telegrafPeak,
        baselineName: 'telegraf',
        target: { ratioAtLeast: ratio },
        note: `${result.peak.missing} missing, ${result.peak.failedAcks} failed acks`,
      },
      {
        figure: `e2e p99 ms at half peak, ${label}`,
        value: percentile(result.half.latenciesMs, 99),
        baseline: null,
        target: label === 'SQLite' ? { atMost: 25 } : null,
        note: `${Math.round(result.half.messages / result.half.seconds)} msg/s offered`,
      },
    );
    return result.peak.perSecond;
  };

  if (wants('e2e')) {
    await e2eRun('SQLite', undefined, 0.8);
    if (pgOk) {
      const schema = await postgresSchema();
      try {
        await e2eRun('PostgreSQL', schema.url, 0.5);
      } finally {
        await schema.drop();
      }
    } else
      rows.push({
        figure: 'e2e msg/s PostgreSQL',
        value: Number.NaN,
        baseline: null,
        target: null,
        note: 'skipped: no PostgreSQL',
      });
  }

  if (wants('scale') && pgOk) {
    const run = async (instances: number) => {
      step(`scale-out: ${instances} instance(s) on PostgreSQL`);
      const schema = await postgresSchema();
      const servers: Server[] = [];
      try {
        for (let i = 0; i < instances; i += 1)
          servers.push(
            await plausch({ databaseUrl: schema.url, cpu: i % cpus().length, name: `plausch-${i + 1}` }),
          );
        const first = nextChats();
        const before = new Map(tracker.repliesPerChat);
        const result = await closedLoop({
          tracker,
          targets: servers.map((s) => s.port),
          chats: SIZES.chats,
          perChat: SIZES.perChat,
          users: SIZES.users,
          firstChatId: first,
        });
        // Exactly once: each chat got exactly perChat replies (one per message).
        let wrong = 0;
        for (let k = 0; k < SIZES.chats; k += 1) {
          const chat = String(first + k);
          if ((tracker.repliesPerChat.get(chat) ?? 0) - (before.get(chat) ?? 0) !== SIZES.perChat) wrong += 1;
        }
        return { ...result, wrongChats: wrong };
      } finally {
        for (const s of servers) await s.stop();
        await schema.drop();
      }
    };
    const one = await run(1);
    const two = await run(2);
    raw.scale = {
      one: { perSecond: one.perSecond, wrongChats: one.wrongChats },
      two: { perSecond: two.perSecond, wrongChats: two.wrongChats },
    };
    rows.push({
      figure: '2 instances on PostgreSQL, msg/s',
      value: two.perSecond,
      baseline: one.perSecond,
      baselineName: '1 instance',
      target: { ratioAtLeast: 1.6 },
      note: `pinned to cores 0/1; chats with ≠${SIZES.perChat} replies: ${two.wrongChats} (1 inst: ${one.wrongChats})`,
    });
  }

  if (wants('memory')) {
    step('memory: idle RSS of peers and Plausch');
    const telegrafRss = await withServer(
      () =>
        startPeer('telegraf-bot.mjs', {
          TELEGRAM_BOT_TOKEN: TELEGRAM_TOKEN,
          TELEGRAM_API_ROOT: fake.apiRoot,
          TELEGRAM_WEBHOOK_SECRET: WEBHOOK_SECRET,
        }),
      idleRss,
    );
    const botbuilderRss = await withServer(() => startPeer('botbuilder-echo.mjs'), idleRss);
    const oursRss = await withServer(() => plausch(), idleRss);
    rows.push({
      figure: 'RSS idle MB',
      value: oursRss / 2 ** 20,
      baseline: telegrafRss / 2 ** 20,
      baselineName: 'telegraf',
      target: { ratioAtMost: 1.5 },
      note: `botbuilder echo: ${(botbuilderRss / 2 ** 20).toFixed(0)} MB`,
    });

    const withHistory = async (contacts: number) => {
      step(`memory: ${contacts} contacts with history`);
      const dir = mkdtempSync(join(tmpdir(), 'plausch-bench-history-'));
      const path = join(dir, 'plausch.sqlite');
      const first = nextChats();
      const seedStart = performance.now();
      await seedHistory(path, contacts, HISTORY_MESSAGES, first);
      const seedSeconds = (performance.now() - seedStart) / 1000;
      return withServer(
        () => plausch({ sqlitePath: path }),
        async (s) => {
          // Traffic over old and new chats, then idle: whatever grows with the data would show now.
          await closedLoop({
            tracker,
            targets: [s.port],
            chats: Math.min(1_000, contacts),
            perChat: 2,
            users: 20,
            firstChatId: first,
          });
          return { rss: await idleRss(s), seedSeconds };
        },
      );
    };
    const small = await withHistory(SIZES.memorySmall);
    const large = await withHistory(SIZES.memoryLarge);
    raw.memory = { telegrafRss, botbuilderRss, oursRss, small, large };
    rows.push({
      figure: `RSS MB, ${SIZES.memoryLarge.toLocaleString('en')} contacts × ${HISTORY_MESSAGES} msgs`,
      value: large.rss / 2 ** 20,
      baseline: small.rss / 2 ** 20,
      baselineName: `${SIZES.memorySmall.toLocaleString('en')} contacts`,
      target: { ratioAtMost: 1.1 },
      note: 'after traffic, idle',
    });
  }

  if (wants('broadcast')) {
    const pace = async (instances: number, databaseUrl: string, sqlitePath: string, schema?: string) => {
      step(`broadcast: ${SIZES.recipients} recipients, ${instances} instance(s)`);
      const limited = await FakeTelegramBotApi.start({
        token: TELEGRAM_TOKEN,
        rateLimit: { perSecond: TELEGRAM_RATE },
      });
      const accepted: number[] = [];
      const perChat = new Map<string, number>();
      limited.onSend((call) => {
        accepted.push(call.at);
        const chat = String(call.body.chat_id);
        perChat.set(chat, (perChat.get(chat) ?? 0) + 1);
      });
      const first = nextChats();
      await seedBroadcast(databaseUrl, sqlitePath, SIZES.recipients, first, schema);
      const servers: Server[] = [];
      try {
        for (let i = 0; i < instances; i += 1) {
          servers.push(
            await startPlausch({
              telegramApiRoot: limited.apiRoot,
              flowsDir,
              pacing: true,
              databaseUrl,
              sqlitePath,
              cpu: instances > 1 ? i % cpus().length : undefined,
              name: `plausch-${i + 1}`,
              extra: { TELEGRAM_SENDS_PER_SECOND: String(TELEGRAM_RATE) },
            }),
          );
        }
        const deadline = Date.now() + (SIZES.recipients / TELEGRAM_RATE) * 1000 * 1.5 + 60_000;
        while (perChat.size < SIZES.recipients && Date.now() < deadline)
          await new Promise((r) => setTimeout(r, 250));
        await new Promise((r) => setTimeout(r, 1_500)); // a duplicate would show up now
      } finally {
        for (const s of servers) await s.stop();
        await limited.close();
      }
      const attempts = limited.calls.filter((c) => c.method === 'sendMessage').map((c) => c.at);
      const rate =
        accepted.length > 1 ? ((accepted.length - 1) * 1000) / (accepted.at(-1)! - accepted[0]!) : 0;
      const duplicates = [...perChat.values()].filter((n) => n > 1).length;
      const missing = SIZES.recipients - perChat.size;
      return {
        rate,
        worstWindow: worstWindow(attempts),
        rateLimited: limited.rateLimited,
        duplicates,
        missing,
        delivered: accepted.length,
      };
    };
    const dir = mkdtempSync(join(tmpdir(), 'plausch-bench-broadcast-'));
    const single = await pace(1, '', join(dir, 'one.sqlite'));
    const results: Record<string, unknown> = { single };
    rows.push(...pacingRows('1 instance, SQLite', single));
    if (pgOk) {
      const schema = await postgresSchema();
      try {
        const double = await pace(2, schema.url, '', undefined);
        results.double = double;
        rows.push(...pacingRows('2 instances, PostgreSQL', double));
      } finally {
        await schema.drop();
      }
    }
    raw.broadcast = results;
  }

  tracker.close();
  await fake.close();
  const machine = {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    node: process.version,
    loadavg: loadavg(),
  };
  const seconds = (performance.now() - started) / 1000;
  printTable(rows, { quick, seconds, machine });
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  const file = join(
    ROOT,
    'bench',
    'results',
    `${new Date().toISOString().replace(/[:.]/g, '-')}${quick ? '-quick' : ''}.json`,
  );
  writeFileSync(
    file,
    `${JSON.stringify({ date: new Date().toISOString(), machine, seconds, rows, raw }, null, 2)}\n`,
  );
  console.log(`\nraw figures: ${file.slice(ROOT.length + 1)}`);
}

function pacingRows(
  label: string,
  r: {
    rate: number;
    worstWindow: number;
    rateLimited: number;
    duplicates: number;
    missing: number;
    delivered: number;
  },
): Row[] {
  return [
    {
      figure: `broadcast delivered/s, ${label}`,
      value: r.rate,
      baseline: TELEGRAM_RATE,
      baselineName: 'configured',
      target: { ratioAtLeast: 0.97 },
      note: `${r.delivered} sent, ${r.duplicates} twice, ${r.missing} missing`,
    },
    {
      figure: `broadcast worst 1-s window, ${label}`,
      value: r.worstWindow,
      baseline: TELEGRAM_RATE,
      baselineName: 'configured',
      target: { ratioAtMost: 1 },
    },
    {
      figure: `broadcast 429 answers, ${label}`,
      value: r.rateLimited,
      baseline: null,
      target: { atMost: 0 },
    },
  ];
}

/** Most send attempts (429s included) in any rolling 1,000 ms. */
function worstWindow(times: readonly number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  let worst = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end += 1) {
    while (sorted[end]! - sorted[start]! >= 1000) start += 1;
    worst = Math.max(worst, end - start + 1);
  }
  return worst;
}

function summarize(r: {
  peak: { perSecond: number; latenciesMs: number[]; missing: number };
  half: { perSecond: number; latenciesMs: number[]; missing: number };
}) {
  return {
    peak: {
      perSecond: r.peak.perSecond,
      p50: percentile(r.peak.latenciesMs, 50),
      p99: percentile(r.peak.latenciesMs, 99),
      missing: r.peak.missing,
    },
    half: {
      perSecond: r.half.perSecond,
      p50: percentile(r.half.latenciesMs, 50),
      p99: percentile(r.half.latenciesMs, 99),
      missing: r.half.missing,
    },
  };
}

await main();
