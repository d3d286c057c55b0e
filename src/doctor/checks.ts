/**
 * `plausch doctor`: what an operator would check by hand before (and after) going live, each with what to do
 * about it. Configuration first (nothing else is judged on a configuration that does not parse), then the
 * store and its migrations, the flows, the data directories, each configured channel's credentials — their
 * shape, and, unless offline, the platform's own "who am I" answer through the configured API roots — and
 * the webhook URLs the platforms will call. Checks never write: a missing SQLite file is reported, not created.
 */
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { BOTFRAMEWORK_MESSAGES_PATH } from '../channels/messenger-botframework/adapter.js';
import { MESSENGER_WEBHOOK_PATH } from '../channels/messenger-meta/adapter.js';
import { TELEGRAM_WEBHOOK_PATH } from '../channels/telegram/webhook.js';
import { WHATSAPP_WEBHOOK_PATH } from '../channels/whatsapp-cloud/adapter.js';
import { type Config, ConfigError, loadConfig } from '../config.js';
import { openStore, redactUrl, type Store } from '../store/database.js';
import { pendingMigrations } from '../store/migrate.js';

export type CheckStatus = 'ok' | 'warn' | 'error' | 'skip';

export interface CheckResult {
  check: string;
  status: CheckStatus;
  detail: string;
  /** What to do about it; set for every warn and error. */
  fix?: string;
}

export interface DoctorOptions {
  env: Record<string, string | undefined>;
  /** Skip the platforms' "who am I" calls (no network). */
  offline?: boolean;
  /** Loads and validates the flow folder; returns its problems as lines (empty = fine) and a summary. */
  checkFlows: (config: Config) => Promise<{ errors: string[]; summary: string }>;
  fetch?: typeof fetch;
  /** Finds Chromium when PUPPETEER_EXECUTABLE_PATH is not set (puppeteer's own download). */
  bundledChromium?: () => Promise<string | null>;
  timeoutMs?: number;
}

const TELEGRAM_TOKEN = /^\d{5,}:[A-Za-z0-9_-]{30,}$/;

export async function runDoctor(options: DoctorOptions): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  let config: Config;
  try {
    config = loadConfig(options.env);
    results.push({
      check: 'configuration',
      status: 'ok',
      detail: `NODE_ENV=${config.NODE_ENV}, no problems`,
    });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    for (const problem of error.problems) {
      const [name] = problem.split(':');
      results.push({
        check: `configuration ${name}`,
        status: 'error',
        detail: problem,
        fix: 'fix the variable in the environment or .env (every variable is described in .env.example)',
      });
    }
    return results;
  }
  results.push(...publicUrlChecks(config));
  results.push(...(await storeChecks(config)));
  results.push(await flowsCheck(config, options));
  results.push(...dataDirChecks(config));
  results.push(...(await channelChecks(config, options)));
  return results;
}

function publicUrlChecks(config: Config): CheckResult[] {
  const url = new URL(config.PUBLIC_URL);
  const production = config.NODE_ENV === 'production';
  const local = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  if (production && url.protocol !== 'https:') {
    return [
      {
        check: 'public URL',
        status: 'error',
        detail: `${config.PUBLIC_URL} is not https`,
        fix: 'set PUBLIC_URL to the https:// address customers and platforms reach (Telegram and Meta call webhooks over https only)',
      },
    ];
  }
  if (production && local) {
    return [
      {
        check: 'public URL',
        status: 'error',
        detail: `${config.PUBLIC_URL} is this machine only`,
        fix: 'set PUBLIC_URL to the public https:// address (referral links, QR codes and webhooks use it)',
      },
    ];
  }
  return [{ check: 'public URL', status: 'ok', detail: config.PUBLIC_URL }];
}

async function storeChecks(config: Config): Promise<CheckResult[]> {
  const postgres = config.DATABASE_URL !== '' && /^postgres(ql)?:\/\//.test(config.DATABASE_URL);
  const sqlitePath = postgres
    ? null
    : resolve(
        config.DATABASE_URL === ''
          ? config.SQLITE_PATH
          : config.DATABASE_URL.replace(/^(sqlite|file):(\/\/)?/, ''),
      );
  const where = postgres ? redactUrl(config.DATABASE_URL) : (sqlitePath ?? '');
  if (sqlitePath && !existsSync(sqlitePath)) {
    return [
      {
        check: 'database',
        status: 'warn',
        detail: `no SQLite file at ${sqlitePath} yet`,
        fix: 'fine for a first start (plausch serve creates it); otherwise point SQLITE_PATH at the existing file',
      },
    ];
  }
  let store: Store | null = null;
  try {
    store = openStore({ databaseUrl: config.DATABASE_URL, sqlitePath: config.SQLITE_PATH, poolSize: 1 });
    const pending = await withTimeout(pendingMigrations(store), 10_000, 'no answer within 10 s');
    const reachable: CheckResult = { check: 'database', status: 'ok', detail: `${where}: reachable` };
    if (pending.length === 0) return [reachable, { check: 'migrations', status: 'ok', detail: 'up to date' }];
    return [
      reachable,
      {
        check: 'migrations',
        status: 'warn',
        detail: `${pending.length} not applied yet: ${pending.slice(0, 3).join(', ')}${pending.length > 3 ? ', …' : ''}`,
        fix: 'run plausch db migrate (plausch serve also applies them at start)',
      },
    ];
  } catch (error) {
    return [
      {
        check: 'database',
        status: 'error',
        detail: `${where}: ${error instanceof Error ? error.message : String(error)}`,
        fix: postgres
          ? 'check DATABASE_URL (host, port, user, password, database) and that PostgreSQL is running and reachable from here'
          : 'check SQLITE_PATH and that this user may read and write the file',
      },
    ];
  } finally {
    // An unreachable server can keep the pool's close waiting; the doctor must still finish.
    if (store) await Promise.race([store.close().catch(() => {}), delay(2_000)]);
  }
}

async function flowsCheck(config: Config, options: DoctorOptions): Promise<CheckResult> {
  try {
    const { errors, summary } = await options.checkFlows(config);
    if (errors.length === 0)
      return { check: 'flows', status: 'ok', detail: `${config.FLOWS_DIR}: ${summary}` };
    return {
      check: 'flows',
      status: 'error',
      detail: `${config.FLOWS_DIR}: ${errors.slice(0, 3).join('; ')}${errors.length > 3 ? ` (+${errors.length - 3} more)` : ''}`,
      fix: 'run plausch flows check for every problem with file:line:column',
    };
  } catch (error) {
    return {
      check: 'flows',
      status: 'error',
      detail: `${config.FLOWS_DIR}: ${error instanceof Error ? error.message : String(error)}`,
      fix: 'set FLOWS_DIR to the folder with your flow YAML files',
    };
  }
}

function dataDirChecks(config: Config): CheckResult[] {
  const dirs: Array<{ what: string; dir: string; variable: string }> = [];
  if (config.DATABASE_URL === '' || /^(sqlite|file):/.test(config.DATABASE_URL)) {
    const path =
      config.DATABASE_URL === ''
        ? config.SQLITE_PATH
        : config.DATABASE_URL.replace(/^(sqlite|file):(\/\/)?/, '');
    dirs.push({ what: 'data directory', dir: dirname(resolve(path)), variable: 'SQLITE_PATH' });
  }
  if (config.WHATSAPP_WEB_ENABLED) {
    dirs.push({
      what: 'WhatsApp Web session directory',
      dir: resolve(config.WHATSAPP_WEB_SESSION_DIR),
      variable: 'WHATSAPP_WEB_SESSION_DIR',
    });
  }
  return dirs.map(({ what, dir, variable }) => {
    const problem = writableProblem(dir);
    return problem
      ? {
          check: what,
          status: 'error' as const,
          detail: `${dir}: ${problem}`,
          fix: `let this user write there (chown/chmod, or the volume mount) or set ${variable} elsewhere`,
        }
      : { check: what, status: 'ok' as const, detail: `${dir}: writable` };
  });
}

/** Null when `dir` (or, if it does not exist yet, its nearest existing parent) is a writable directory. */
function writableProblem(dir: string): string | null {
  let probe = dir;
  while (!existsSync(probe)) {
    const parent = dirname(probe);
    if (parent === probe) return 'no existing parent directory';
    probe = parent;
  }
  if (!statSync(probe).isDirectory()) return `${probe} is not a directory`;
  try {
    accessSync(probe, constants.W_OK);
    return null;
  } catch {
    return probe === dir ? 'not writable for this user' : `cannot be created: ${probe} is not writable`;
  }
}

async function channelChecks(config: Config, options: DoctorOptions): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const base = config.PUBLIC_URL.replace(/\/+$/, '');
  const webhook = (path: string) => `${base}${path}`;
  const httpsNeeded = (name: string, path: string): CheckResult | null =>
    webhook(path).startsWith('https://')
      ? null
      : {
          check: `${name} webhook`,
          status: config.NODE_ENV === 'production' ? 'error' : 'warn',
          detail: `${webhook(path)} is not https`,
          fix: 'the platform only calls https webhooks: set PUBLIC_URL to an https address (a tunnel such as cloudflared in development)',
        };
  const enabled: string[] = [];

  if (config.TELEGRAM_BOT_TOKEN) {
    enabled.push('telegram');
    if (!TELEGRAM_TOKEN.test(config.TELEGRAM_BOT_TOKEN)) {
      results.push({
        check: 'Telegram token',
        status: 'error',
        detail: 'TELEGRAM_BOT_TOKEN does not look like <digits>:<35 characters>',
        fix: 'copy the token BotFather gave you (/mybots → API Token) into TELEGRAM_BOT_TOKEN',
      });
    } else {
      results.push(await telegramWhoAmI(config, options));
    }
    if (config.TELEGRAM_WEBHOOK_SECRET) {
      results.push(
        httpsNeeded('Telegram', TELEGRAM_WEBHOOK_PATH) ?? {
          check: 'Telegram webhook',
          status: 'ok',
          detail: `${webhook(TELEGRAM_WEBHOOK_PATH)} (set at start with the secret)`,
        },
      );
    } else {
      results.push({
        check: 'Telegram webhook',
        status: 'ok',
        detail: 'long polling (TELEGRAM_WEBHOOK_SECRET empty)',
      });
    }
  }

  if (config.WHATSAPP_CLOUD_TOKEN) {
    enabled.push('whatsapp-cloud');
    results.push(await graphWhoAmI(config, options, 'WhatsApp Cloud'));
    results.push(
      httpsNeeded('WhatsApp Cloud', WHATSAPP_WEBHOOK_PATH) ?? {
        check: 'WhatsApp Cloud webhook',
        status: 'ok',
        detail: `${webhook(WHATSAPP_WEBHOOK_PATH)} — enter it with META_VERIFY_TOKEN in the Meta app (WhatsApp → Configuration)`,
      },
    );
  }

  if (config.MESSENGER_PAGE_TOKEN) {
    enabled.push('messenger');
    results.push(await graphWhoAmI(config, options, 'Messenger'));
    results.push(
      httpsNeeded('Messenger', MESSENGER_WEBHOOK_PATH) ?? {
        check: 'Messenger webhook',
        status: 'ok',
        detail: `${webhook(MESSENGER_WEBHOOK_PATH)} — enter it with META_VERIFY_TOKEN in the Meta app (Messenger → Webhooks)`,
      },
    );
  }

  if (config.BOTFRAMEWORK_ENABLED) {
    enabled.push('botframework');
    results.push(
      config.MICROSOFT_APP_ID
        ? (httpsNeeded('Bot Framework', BOTFRAMEWORK_MESSAGES_PATH) ?? {
            check: 'Bot Framework endpoint',
            status: 'ok',
            detail: `${webhook(BOTFRAMEWORK_MESSAGES_PATH)} — the messaging endpoint of the Azure Bot`,
          })
        : {
            check: 'Bot Framework credentials',
            status: config.NODE_ENV === 'production' ? 'error' : 'warn',
            detail: 'MICROSOFT_APP_ID is empty: activities are not authenticated',
            fix: 'set MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD from the Azure Bot resource',
          },
    );
  }

  if (config.WHATSAPP_WEB_ENABLED) {
    enabled.push('whatsapp-web');
    results.push(await chromiumCheck(config, options));
  }

  if (enabled.length === 0) {
    results.push({
      check: 'channels',
      status: config.WEBCHAT_ENABLED ? 'warn' : 'error',
      detail: config.WEBCHAT_ENABLED ? 'only the web chat is enabled' : 'no channel is enabled',
      fix: 'set TELEGRAM_BOT_TOKEN, WHATSAPP_CLOUD_TOKEN, MESSENGER_PAGE_TOKEN, BOTFRAMEWORK_ENABLED or WHATSAPP_WEB_ENABLED (see .env.example)',
    });
  }
  return results;
}

async function telegramWhoAmI(config: Config, options: DoctorOptions): Promise<CheckResult> {
  if (options.offline)
    return { check: 'Telegram token', status: 'skip', detail: 'format ok; getMe not asked (--offline)' };
  const root = (config.TELEGRAM_API_ROOT ?? 'https://api.telegram.org').replace(/\/+$/, '');
  const answer = await getJson(options, `${root}/bot${config.TELEGRAM_BOT_TOKEN}/getMe`, {});
  const result = answer.body as { ok?: boolean; result?: { username?: string }; description?: string } | null;
  if (answer.status === 200 && result?.ok && result.result?.username) {
    const configured = config.TELEGRAM_BOT_USERNAME?.replace(/^@/, '');
    if (configured && configured.toLowerCase() !== result.result.username.toLowerCase()) {
      return {
        check: 'Telegram token',
        status: 'warn',
        detail: `getMe: @${result.result.username}, but TELEGRAM_BOT_USERNAME is @${configured}`,
        fix: `set TELEGRAM_BOT_USERNAME=${result.result.username} (t.me deep links use it) or leave it empty`,
      };
    }
    return { check: 'Telegram token', status: 'ok', detail: `getMe: @${result.result.username}` };
  }
  return {
    check: 'Telegram token',
    status: 'error',
    detail: `getMe: ${answer.status === 0 ? answer.error : `${answer.status} ${result?.description ?? ''}`.trim()}`,
    fix:
      answer.status === 401 || answer.status === 404
        ? 'the token was revoked or mistyped: get the current one from BotFather (/mybots → API Token)'
        : 'api.telegram.org (or TELEGRAM_API_ROOT) is not reachable from here: check DNS, proxy and firewall',
  };
}

async function graphWhoAmI(
  config: Config,
  options: DoctorOptions,
  which: 'WhatsApp Cloud' | 'Messenger',
): Promise<CheckResult> {
  const check = `${which} token`;
  if (options.offline) return { check, status: 'skip', detail: 'not asked (--offline)' };
  const root = `${config.META_GRAPH_API_ROOT.replace(/\/+$/, '')}/${config.META_GRAPH_API_VERSION}`;
  const answer =
    which === 'WhatsApp Cloud'
      ? await getJson(options, `${root}/${config.WHATSAPP_CLOUD_PHONE_NUMBER_ID}`, {
          authorization: `Bearer ${config.WHATSAPP_CLOUD_TOKEN}`,
        })
      : await getJson(
          options,
          `${root}/me?access_token=${encodeURIComponent(config.MESSENGER_PAGE_TOKEN ?? '')}`,
          {},
        );
  const body = answer.body as {
    display_phone_number?: string;
    verified_name?: string;
    name?: string;
    error?: { message?: string };
  } | null;
  if (answer.status === 200 && body && !body.error) {
    const who =
      which === 'WhatsApp Cloud'
        ? `${body.verified_name ?? '?'} (${body.display_phone_number ?? config.WHATSAPP_CLOUD_PHONE_NUMBER_ID})`
        : (body.name ?? 'the Page');
    return { check, status: 'ok', detail: `Graph API: ${who}` };
  }
  const detail = answer.status === 0 ? answer.error : `${answer.status} ${body?.error?.message ?? ''}`.trim();
  return {
    check,
    status: 'error',
    detail: `Graph API: ${detail}`,
    fix:
      answer.status === 0
        ? 'graph.facebook.com (or META_GRAPH_API_ROOT) is not reachable from here: check DNS, proxy and firewall'
        : which === 'WhatsApp Cloud'
          ? 'check WHATSAPP_CLOUD_TOKEN (a system-user token with whatsapp_business_messaging) and WHATSAPP_CLOUD_PHONE_NUMBER_ID'
          : 'check MESSENGER_PAGE_TOKEN (a Page access token with pages_messaging)',
  };
}

async function chromiumCheck(config: Config, options: DoctorOptions): Promise<CheckResult> {
  const configured = config.PUPPETEER_EXECUTABLE_PATH;
  const path = configured ?? (await options.bundledChromium?.().catch(() => null)) ?? null;
  if (path && existsSync(path)) {
    try {
      accessSync(path, constants.X_OK);
      return { check: 'Chromium (WhatsApp Web)', status: 'ok', detail: path };
    } catch {
      // falls through to the error
    }
  }
  return {
    check: 'Chromium (WhatsApp Web)',
    status: 'error',
    detail: configured ? `${configured} is missing or not executable` : 'no Chromium found',
    fix: 'install Chromium (Debian: apt-get install chromium; Docker: the whatsapp-web image target) and set PUPPETEER_EXECUTABLE_PATH=/usr/bin/chromium',
  };
}

async function getJson(
  options: DoctorOptions,
  url: string,
  headers: Record<string, string>,
): Promise<{ status: number; body: unknown; error: string }> {
  const doFetch = options.fetch ?? fetch;
  try {
    const response = await doFetch(url, {
      headers,
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
    });
    const text = await response.text();
    let body: unknown = null;
    try {
      body = JSON.parse(text);
    } catch {
      body = null;
    }
    return { status: response.status, body, error: '' };
  } catch (error) {
    // Never echo the URL: it carries the Telegram token or the Page token.
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    return {
      status: 0,
      body: null,
      error: cause ?? (error instanceof Error ? error.name : 'request failed'),
    };
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  return new Promise<T>((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(message)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolvePromise(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

function delay(ms: number): Promise<void> {
  return new Promise((resolvePromise) => setTimeout(resolvePromise, ms).unref());
}

/** Exit code: 1 when any check failed, else 0 (warnings do not fail). */
export function doctorExitCode(results: readonly CheckResult[]): number {
  return results.some((r) => r.status === 'error') ? 1 : 0;
}
