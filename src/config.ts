/**
 * The environment, parsed once with zod. Everything else receives the resulting `Config` as an argument;
 * nothing reads `process.env` directly. Every variable is documented in `.env.example`.
 */
import { isIP } from 'node:net';
import { z } from 'zod';

const emptyToUndefined = (value: unknown) =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;
const optionalString = z.preprocess(emptyToUndefined, z.string().optional());
const optionalUrl = z.preprocess(emptyToUndefined, z.string().url().optional());
const flag = (fallback: boolean) =>
  z.preprocess(
    emptyToUndefined,
    z
      .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
      .optional()
      .transform((v) => (v === undefined ? fallback : ['true', '1', 'yes'].includes(v))),
  );
const commaList = z.preprocess(
  emptyToUndefined,
  z
    .string()
    .optional()
    .transform((v) =>
      (v ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    ),
);

const retentionDays = (fallback: number) =>
  z.preprocess(
    emptyToUndefined,
    z.coerce
      .number({ error: 'must be a number of days (0 = keep forever)' })
      .int()
      .min(0)
      .max(36_500)
      .default(fallback),
  );
const rate = (fallback: number) =>
  z.preprocess(
    emptyToUndefined,
    z.coerce
      .number({ error: 'must be a number of messages per second' })
      .positive('must be more than 0 messages per second')
      .max(100_000)
      .default(fallback),
  );
const interval = (fallback: number) =>
  z.preprocess(
    emptyToUndefined,
    z.coerce
      .number({ error: 'must be a number of milliseconds' })
      .int()
      .min(0)
      .max(3_600_000)
      .default(fallback),
  );

export const configSchema = z.object({
  NODE_ENV: z.preprocess(
    emptyToUndefined,
    z.enum(['development', 'production', 'test']).default('development'),
  ),
  PORT: z.preprocess(
    emptyToUndefined,
    z.coerce.number({ error: 'must be a port number (0-65535)' }).int().min(0).max(65535).default(3000),
  ),
  HOST: z.preprocess(emptyToUndefined, z.string().default('0.0.0.0')),
  /**
   * Where customers reach this server: referral links, webhooks, .ics links. Required in production; in
   * development it defaults to http://localhost:<PORT> (or http://<HOST>:<PORT> for a specific HOST).
   */
  PUBLIC_URL: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .url()
      .refine((v) => /^https?:\/\//.test(v), 'must be an http:// or https:// URL')
      .optional(),
  ),
  /**
   * Which proxies may set X-Forwarded-For (and so the client address used for per-IP limits). Empty/false =
   * none (the socket address counts); a number = that many hops; otherwise a comma list of addresses, CIDRs or
   * express's names (loopback, linklocal, uniquelocal).
   */
  TRUST_PROXY: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .optional()
      .transform((v, ctx): false | number | string[] => {
        if (v === undefined || v === 'false' || v === '0') return false;
        if (/^\d+$/.test(v)) return Number(v);
        const list = v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
        const bad = list.filter((entry) => !isProxyEntry(entry));
        if (bad.length > 0 || v === 'true') {
          ctx.addIssue({
            code: 'custom',
            message: `use a hop count (1), or addresses/CIDRs/loopback/linklocal/uniquelocal; not ${
              v === 'true' ? '"true" (that would trust any client)' : bad.join(', ')
            }`,
          });
          return z.NEVER;
        }
        return list;
      }),
  ),
  LOG_LEVEL: z.preprocess(
    emptyToUndefined,
    z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ),
  /** Empty = embedded SQLite at SQLITE_PATH; postgres://… = PostgreSQL (several instances may share it). */
  DATABASE_URL: z.preprocess(
    (v) => (typeof v === 'string' ? v.trim() : ''),
    z
      .string()
      .refine(
        (v) => v === '' || /^(postgres|postgresql):\/\/./.test(v) || /^(sqlite|file):./.test(v),
        'must be empty (SQLite at SQLITE_PATH), sqlite:<path> or postgres://user:password@host/database',
      ),
  ),
  SQLITE_PATH: z.preprocess(emptyToUndefined, z.string().default('./data/plausch.sqlite')),
  FLOWS_DIR: z.preprocess(emptyToUndefined, z.string().default('./flows')),
  /**
   * Where the console's flow workbench keeps versions of saved files: git = a commit per save (FLOWS_DIR must
   * be inside a git checkout), store = in the database, auto = git when FLOWS_DIR is in a checkout, else store.
   */
  WORKBENCH_VERSIONS: z.preprocess(emptyToUndefined, z.enum(['auto', 'git', 'store']).default('auto')),
  /**
   * How often an instance looks for workbench saves made on other instances of the same database (and
   * reloads what they changed); PostgreSQL also tells them at once. 0 = only on notices and before a save.
   */
  WORKBENCH_SYNC_INTERVAL_MS: interval(5000),
  /** Names this process in outbox locks and logs; defaults to host name + pid. */
  INSTANCE_ID: optionalString,
  /**
   * Remembers outside the database that it held data, so an emptied database refuses to start. Default:
   * $XDG_STATE_HOME/plausch/ (or ~/.local/state/plausch/); `off` disables it (it is off in NODE_ENV=test
   * unless set).
   */
  DATA_MARKER_PATH: optionalString,
  /**
   * Platform calls in flight at once per channel. Each send is recorded before the next one starts, so this is
   * also the most messages per channel that a crash can send twice. Raise it when the platform's round trip
   * keeps a channel below its rate limit.
   */
  OUTBOX_SEND_CONCURRENCY: z.preprocess(
    emptyToUndefined,
    z.coerce.number({ error: 'must be a whole number from 1 to 64' }).int().min(1).max(64).default(1),
  ),

  // --- Sending rates (the outbox paces every channel below its platform's limit, across all instances)
  /** false = no pacing at all: only for benchmarks against a fake platform; real platforms answer 429. */
  OUTBOX_PACING: flag(true),
  /** Telegram's bulk limit (FAQ: about 30 messages/s per bot) and the gap between two messages to one chat. */
  TELEGRAM_SENDS_PER_SECOND: rate(30),
  TELEGRAM_CHAT_INTERVAL_MS: interval(1000),
  /** WhatsApp Cloud API throughput per number (80/s by default, up to 1,000), received messages count too. */
  WHATSAPP_CLOUD_MESSAGES_PER_SECOND: rate(80),
  WHATSAPP_CLOUD_CHAT_INTERVAL_MS: interval(1000),
  /** Messenger Send API per Page (documented: 300 calls/s; the default stays below). */
  MESSENGER_SENDS_PER_SECOND: rate(250),
  MESSENGER_CHAT_INTERVAL_MS: interval(1000),

  // --- REST API and console
  /** Bearer tokens accepted by /api/v1 (comma-separated). Empty = the API answers 401 to everything. */
  API_TOKENS: commaList,
  /**
   * Requests per client address and minute on each public endpoint group (referral links /r/…, the
   * conversion webhook, web chat messages; the REST API gets ten times as many), counted in the database so
   * every instance shares the budget. 0 = no limit.
   */
  PUBLIC_RATE_LIMIT_PER_MINUTE: z.preprocess(
    emptyToUndefined,
    z.coerce
      .number({ error: 'must be a whole number of requests per minute (0 = no limit)' })
      .int()
      .min(0)
      .max(1_000_000)
      .default(120),
  ),
  /** Bearer token for GET /metrics (Prometheus); empty = no /metrics endpoint. */
  METRICS_TOKEN: optionalString,
  /** scrypt cost of new console password hashes as log2 N (default 15); tests use 10. */
  PASSWORD_HASH_COST: z.preprocess(
    emptyToUndefined,
    z.coerce
      .number({ error: 'must be a whole number from 10 to 20' })
      .int('must be a whole number from 10 to 20')
      .min(10, 'must be a whole number from 10 to 20')
      .max(20, 'must be a whole number from 10 to 20')
      .optional(),
  ),
  /** First admin account, created at start-up when no user exists yet. */
  ADMIN_EMAIL: optionalString,
  ADMIN_PASSWORD: optionalString,
  /** Largest file an agent may upload and a customer's file the console fetches from a channel (bytes). */
  MEDIA_MAX_BYTES: z.preprocess(
    emptyToUndefined,
    z.coerce
      .number({ error: 'must be a number of bytes' })
      .int()
      .min(1024)
      .max(100 * 1024 * 1024)
      .default(10 * 1024 * 1024),
  ),

  // --- Telegram
  TELEGRAM_BOT_TOKEN: optionalString,
  /** Set = webhook mode at POST /webhooks/telegram with this secret; empty = long polling. */
  TELEGRAM_WEBHOOK_SECRET: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,256}$/, 'Telegram allows 1-256 characters of A-Z, a-z, 0-9, _ and -')
      .optional(),
  ),
  /** Another Bot API server (tests, self-hosted Bot API). */
  TELEGRAM_API_ROOT: optionalUrl,
  /** The bot's @username without @, for t.me deep links; read from getMe when empty. */
  TELEGRAM_BOT_USERNAME: optionalString,

  // --- WhatsApp Web (unofficial, whatsapp-web.js)
  WHATSAPP_WEB_ENABLED: flag(false),
  WHATSAPP_WEB_SESSION_DIR: z.preprocess(emptyToUndefined, z.string().default('./data/whatsapp-web')),
  PUPPETEER_EXECUTABLE_PATH: optionalString,

  // --- Meta (WhatsApp Cloud API and Messenger Platform share verification and signature)
  META_VERIFY_TOKEN: optionalString,
  META_APP_SECRET: optionalString,
  META_GRAPH_API_ROOT: z.preprocess(emptyToUndefined, z.string().url().default('https://graph.facebook.com')),
  META_GRAPH_API_VERSION: z.preprocess(emptyToUndefined, z.string().default('v21.0')),
  WHATSAPP_CLOUD_TOKEN: optionalString,
  WHATSAPP_CLOUD_PHONE_NUMBER_ID: optionalString,
  /** The WhatsApp Business Account id: lets the console compare flows/whatsapp/templates.yaml with Meta's list. */
  WHATSAPP_BUSINESS_ACCOUNT_ID: optionalString,
  /** The WhatsApp number in international digits, for wa.me links. */
  WHATSAPP_NUMBER: optionalString,
  MESSENGER_PAGE_TOKEN: optionalString,
  /** The Page's username, for m.me links. */
  MESSENGER_PAGE_NAME: optionalString,

  // --- Messenger (and other channels) through Azure Bot Framework
  BOTFRAMEWORK_ENABLED: flag(false),
  MICROSOFT_APP_ID: optionalString,
  MICROSOFT_APP_PASSWORD: optionalString,
  MICROSOFT_APP_TYPE: z.preprocess(
    emptyToUndefined,
    z.enum(['SingleTenant', 'MultiTenant', 'UserAssignedMSI']).optional(),
  ),
  MICROSOFT_APP_TENANT_ID: optionalString,
  /**
   * Exact origins (http://127.0.0.1:3978) an activity's serviceUrl may name although they are not public
   * addresses: for the Bot Framework Emulator and test connectors only; a configuration error in production.
   */
  BOTFRAMEWORK_ALLOWED_SERVICE_URLS: commaList,

  // --- Web chat widget
  WEBCHAT_ENABLED: flag(true),

  // --- Referrals
  /** Salt for hashing visitors' IP addresses; set a long random value in production. */
  REFERRAL_IP_SALT: optionalString,
  /** Header a proxy/CDN sets with the visitor's country (e.g. CF-IPCountry). */
  GEO_COUNTRY_HEADER: optionalString,
  /** Header a proxy/CDN sets with the visitor's region (ISO 3166-2, e.g. cf-region-code); for reports per region. */
  GEO_REGION_HEADER: optionalString,
  /** Where /r/<code> sends visitors of unknown codes. */
  REFERRAL_FALLBACK_URL: optionalUrl,
  /** Shared secret for POST /api/v1/conversions signatures (X-Plausch-Signature). */
  CONVERSION_WEBHOOK_SECRET: optionalString,

  // --- Privacy
  /** Key of the keyed hash that replaces an erased person's id in the consent ledger; required in production. */
  ERASURE_HASH_KEY: optionalString,
  /** Days after which transcript texts are removed (rows stay for the counts); 0 = keep forever. */
  RETENTION_TRANSCRIPT_DAYS: retentionDays(180),
  /** Days after which handled inbound events (raw platform payloads) are deleted; 0 = keep forever. */
  RETENTION_INBOUND_DAYS: retentionDays(30),
  /** Days after which referral clicks are deleted (13 months by default); 0 = keep forever. */
  RETENTION_CLICKS_DAYS: retentionDays(395),

  // --- CRM hand-over
  CRM_WEBHOOK_URL: optionalUrl,
  CRM_WEBHOOK_SECRET: optionalString,
  /** Allow CRM webhooks to private/loopback addresses (only for on-premise CRMs and tests). */
  CRM_ALLOW_PRIVATE_ADDRESSES: flag(false),
});

/** The parsed environment; PUBLIC_URL is always set (derived from PORT/HOST in development). */
export type Config = Omit<z.infer<typeof configSchema>, 'PUBLIC_URL'> & { PUBLIC_URL: string };

function isProxyEntry(entry: string): boolean {
  if (['loopback', 'linklocal', 'uniquelocal'].includes(entry)) return true;
  const [address, bits, ...rest] = entry.split('/');
  if (rest.length > 0 || !address || isIP(address) === 0) return false;
  if (bits === undefined) return true;
  const max = isIP(address) === 4 ? 32 : 128;
  return /^\d{1,3}$/.test(bits) && Number(bits) <= max;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(
      `The configuration has ${problems.length} problem(s):\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
    this.name = 'ConfigError';
  }
}

/**
 * Parses the environment; throws a ConfigError listing every problem at once, each as `NAME: what is wrong`
 * (single variables and rules between variables alike).
 */
export function loadConfig(
  env: NodeJS.ProcessEnv | Record<string, string | undefined> = process.env,
): Config {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `${issue.path.join('.') || '(env)'}: ${issue.message}`,
    );
    // Also list the rules between variables, judged on everything that did parse, so one start shows all.
    const failed = new Set(parsed.error.issues.map((issue) => String(issue.path[0])));
    const rest = configSchema.safeParse(
      Object.fromEntries(Object.entries(env).filter(([key]) => !failed.has(key))),
    );
    const more = rest.success ? crossCheck(rest.data).filter((p) => !failed.has(p.split(':')[0] ?? '')) : [];
    throw new ConfigError([...problems, ...more]);
  }
  const problems = crossCheck(parsed.data);
  if (problems.length > 0) throw new ConfigError(problems);
  return { ...parsed.data, PUBLIC_URL: parsed.data.PUBLIC_URL ?? developmentPublicUrl(parsed.data) };
}

/** http://localhost:<PORT> for the usual wildcard HOST, else the HOST itself (IPv6 in brackets). */
function developmentPublicUrl(config: { HOST: string; PORT: number }): string {
  const wildcard = ['0.0.0.0', '::', '', 'localhost'].includes(config.HOST);
  const host = wildcard ? 'localhost' : isIP(config.HOST) === 6 ? `[${config.HOST}]` : config.HOST;
  return `http://${host}:${config.PORT}`;
}

/** Rules that involve more than one variable. */
function crossCheck(config: z.infer<typeof configSchema>): string[] {
  const problems: string[] = [];
  const needsMeta = Boolean(config.WHATSAPP_CLOUD_TOKEN || config.MESSENGER_PAGE_TOKEN);
  if (needsMeta && !config.META_APP_SECRET) {
    problems.push(
      'META_APP_SECRET: required when WHATSAPP_CLOUD_TOKEN or MESSENGER_PAGE_TOKEN is set (webhook signatures)',
    );
  }
  if (needsMeta && !config.META_VERIFY_TOKEN) {
    problems.push(
      'META_VERIFY_TOKEN: required when WHATSAPP_CLOUD_TOKEN or MESSENGER_PAGE_TOKEN is set (webhook handshake)',
    );
  }
  if (config.WHATSAPP_CLOUD_TOKEN && !config.WHATSAPP_CLOUD_PHONE_NUMBER_ID) {
    problems.push('WHATSAPP_CLOUD_PHONE_NUMBER_ID: required when WHATSAPP_CLOUD_TOKEN is set');
  }
  if (
    config.MICROSOFT_APP_ID &&
    !config.MICROSOFT_APP_PASSWORD &&
    config.MICROSOFT_APP_TYPE !== 'UserAssignedMSI'
  ) {
    problems.push('MICROSOFT_APP_PASSWORD: required when MICROSOFT_APP_ID is set');
  }
  if (config.MICROSOFT_APP_TYPE === 'SingleTenant' && !config.MICROSOFT_APP_TENANT_ID) {
    problems.push('MICROSOFT_APP_TENANT_ID: required when MICROSOFT_APP_TYPE=SingleTenant');
  }
  if (config.NODE_ENV === 'production' && !config.PUBLIC_URL) {
    problems.push(
      'PUBLIC_URL: required in production (the https address customers and platforms reach this server at)',
    );
  }
  if (config.NODE_ENV === 'production' && !config.ERASURE_HASH_KEY) {
    problems.push(
      'ERASURE_HASH_KEY: required in production (a long random secret; it keeps erased people unlinkable in the consent ledger)',
    );
  }
  if (config.NODE_ENV === 'production' && config.BOTFRAMEWORK_ENABLED && !config.MICROSOFT_APP_ID) {
    problems.push(
      'MICROSOFT_APP_ID: required in production when BOTFRAMEWORK_ENABLED=true (without it anyone could post activities)',
    );
  }
  if (config.NODE_ENV === 'production' && config.BOTFRAMEWORK_ALLOWED_SERVICE_URLS.length > 0) {
    problems.push(
      'BOTFRAMEWORK_ALLOWED_SERVICE_URLS: not allowed in production (replies must only go to public Bot Framework connectors)',
    );
  }
  for (const entry of config.BOTFRAMEWORK_ALLOWED_SERVICE_URLS) {
    if (!/^https?:\/\/[^/]+\/?$/.test(entry)) {
      problems.push(
        `BOTFRAMEWORK_ALLOWED_SERVICE_URLS: "${entry}" is not an origin like http://127.0.0.1:3978`,
      );
    }
  }
  if ((config.ADMIN_EMAIL && !config.ADMIN_PASSWORD) || (!config.ADMIN_EMAIL && config.ADMIN_PASSWORD)) {
    problems.push('ADMIN_EMAIL and ADMIN_PASSWORD: set both or neither');
  }
  if (config.ADMIN_PASSWORD && config.ADMIN_PASSWORD.length < 10) {
    problems.push('ADMIN_PASSWORD: use at least 10 characters');
  }
  return problems;
}
