/**
 * The public side of referrals: `/r/<code>` (record the click, redirect to the campaign landing page with UTM
 * parameters), its QR image, the safe page for unknown codes, and the signed conversion webhook for shops.
 * Redirect targets come only from the campaign file and configuration, never from the request.
 */
import { randomBytes } from 'node:crypto';
import express, { type Request, type Response, type Router } from 'express';
import QRCode from 'qrcode';
import type { Config } from '../../config.js';
import { ApiError, parseInput, route } from '../../http/api-support.js';
import type { Logger } from '../../logger.js';
import type { Store } from '../../store/database.js';
import {
  classifyAgent,
  cleanReferer,
  countryOf,
  hashVisitorAddress,
  recordClick,
  regionOf,
} from './clicks.js';
import { findCode, normalizeCode } from './codes.js';
import { conversionInputSchema, recordConversion, verifyBodySignature } from './conversions.js';
import { buildLandingUrl, publicBase } from './links.js';
import type { ReferralProgram } from './program-schema.js';
import type { ReferralCodesTable, ReferralTables } from './tables.js';

export const VISITOR_COOKIE = 'plausch_vid';
const VISITOR_ID = /^[a-z0-9]{16,40}$/;
const VISITOR_COOKIE_MAX_AGE_S = 90 * 24 * 60 * 60;

export interface PublicRouteDeps {
  store: Store;
  config: Config;
  logger: Logger;
  getProgram: () => ReferralProgram;
  now: () => Date;
}

function readCookie(req: Request, name: string): string | null {
  const header = req.headers.cookie;
  if (!header) return null;
  for (const part of header.split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return decodeURIComponent(rest.join('='));
  }
  return null;
}

/** A small bounded cache: oldest entries leave first. Codes never change their owner or campaign. */
class BoundedCache<V> {
  readonly #entries = new Map<string, V>();
  constructor(private readonly limit: number) {}
  get(key: string): V | undefined {
    return this.#entries.get(key);
  }
  set(key: string, value: V): void {
    if (this.#entries.size >= this.limit) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
    this.#entries.set(key, value);
  }
}

const UNKNOWN_PAGE = `<!doctype html>
<html lang="de"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex"><title>Link nicht gefunden</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;line-height:1.5;color:#3b2a20}</style>
</head><body>
<h1>Dieser Empfehlungslink ist uns unbekannt</h1>
<p>Vielleicht wurde er beim Kopieren abgeschnitten. Bitte frag die Person, die ihn dir geschickt hat, nach dem vollständigen Link.</p>
<p lang="en">We do not know this referral link. It may have been cut off while copying; please ask for the complete link.</p>
</body></html>`;

export function createReferralPublicRouter(deps: PublicRouteDeps): Router {
  const router = express.Router();
  const codeCache = new BoundedCache<ReferralCodesTable>(10_000);
  const qrCache = new BoundedCache<Buffer>(1_000);
  let salt = deps.config.REFERRAL_IP_SALT;
  if (!salt) {
    // Without a configured salt hashes still hide addresses, but once-per-day counting resets on restart.
    salt = randomBytes(32).toString('hex');
    deps.logger.warn(
      'REFERRAL_IP_SALT is not set: using a random salt for this process; set it for stable click counting',
    );
  }
  const fallbackUrl = deps.config.REFERRAL_FALLBACK_URL ?? `${publicBase(deps.config)}/r/unknown`;
  const secureCookie = deps.config.PUBLIC_URL.startsWith('https://');

  const lookup = async (raw: string): Promise<ReferralCodesTable | null> => {
    const code = normalizeCode(raw);
    if (!code) return null;
    const cached = codeCache.get(code);
    if (cached) return cached;
    const row = await findCode(deps.store.db.withTables<ReferralTables>(), code);
    if (row) codeCache.set(code, row);
    return row ?? null;
  };

  router.get('/r/unknown', (_req, res) => {
    res.status(404).set('Cache-Control', 'no-store').type('html').send(UNKNOWN_PAGE);
  });

  router.get(
    '/r/:code/qr.png',
    route(async (req, res) => {
      const code = await lookup(String(req.params.code ?? ''));
      if (!code) {
        res.status(404).type('text/plain').send('Unknown referral code');
        return;
      }
      let png = qrCache.get(code.code);
      if (!png) {
        png = await QRCode.toBuffer(`${publicBase(deps.config)}/r/${code.code}`, {
          type: 'png',
          errorCorrectionLevel: 'M',
          margin: 2,
          width: 512,
        });
        qrCache.set(code.code, png);
      }
      res.status(200).set('Cache-Control', 'public, max-age=86400, immutable').type('png').send(png);
    }),
  );

  router.get(
    '/r/:code',
    route(async (req, res) => {
      res.set('Cache-Control', 'no-store');
      const code = await lookup(String(req.params.code ?? ''));
      const campaign = code ? deps.getProgram().campaigns[code.campaign_id] : undefined;
      if (!code || !campaign) {
        res.redirect(302, fallbackUrl);
        return;
      }
      const userAgent = req.headers['user-agent'];
      const agentClass = classifyAgent(userAgent);
      let visitorId: string | null = null;
      if (agentClass !== 'bot') {
        const presented = readCookie(req, VISITOR_COOKIE);
        visitorId = presented && VISITOR_ID.test(presented) ? presented : randomBytes(12).toString('hex');
        res.cookie(VISITOR_COOKIE, visitorId, {
          maxAge: VISITOR_COOKIE_MAX_AGE_S * 1000,
          httpOnly: true,
          sameSite: 'lax',
          secure: secureCookie,
          path: '/',
        });
      }
      const country = countryOf(req.headers, deps.config.GEO_COUNTRY_HEADER);
      try {
        await recordClick(
          deps.store.db.withTables<ReferralTables>(),
          code,
          {
            // req.ip honours the app's `trust proxy` setting (the client address behind one reverse proxy).
            ipHash: hashVisitorAddress(salt, req.ip ?? req.socket.remoteAddress ?? 'unknown'),
            visitorId,
            country,
            region: regionOf(req.headers, country, deps.config.GEO_REGION_HEADER),
            referer: cleanReferer(req.headers.referer),
            agentClass,
          },
          deps.now(),
        );
      } catch (error) {
        // The visitor still reaches the shop; a lost click is logged, not turned into an error page.
        deps.logger.error({ err: error, code: code.code }, 'recording a referral click failed');
      }
      res.redirect(302, buildLandingUrl(campaign, code.code, visitorId));
    }),
  );

  router.post(
    '/conversions/webhook',
    express.raw({ type: () => true, limit: '64kb' }),
    route(async (req: Request, res: Response) => {
      const secret = deps.config.CONVERSION_WEBHOOK_SECRET;
      if (!secret)
        throw new ApiError(503, 'the conversion webhook is disabled: set CONVERSION_WEBHOOK_SECRET');
      const rawBody = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const signature = req.headers['x-plausch-signature'];
      if (!verifyBodySignature(secret, rawBody, Array.isArray(signature) ? signature[0] : signature)) {
        throw new ApiError(401, 'missing or invalid X-Plausch-Signature (sha256=<hex HMAC of the raw body>)');
      }
      let body: unknown;
      try {
        body = JSON.parse(rawBody.toString('utf8'));
      } catch {
        throw new ApiError(400, 'request body is not valid JSON');
      }
      const input = parseInput(conversionInputSchema, body);
      const result = await recordConversion(deps.store, input, 'webhook', deps.now());
      res.status(result.created ? 201 : 200).json(result.conversion);
    }),
  );

  return router;
}
