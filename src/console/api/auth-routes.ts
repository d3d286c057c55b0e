/** Sign in and out. A wrong e-mail or password gets one generic answer; failed attempts are throttled in the DB. */
import { type Request, type Response, Router } from 'express';
import { z } from 'zod';
import type { Logger } from '../../logger.js';
import type { Store } from '../../store/database.js';
import {
  type LoginThrottleLimits,
  reserveLoginAttempt,
  withdrawLoginAttempt,
} from '../auth/login-throttle.js';
import { readCookie, sameOrigin } from '../auth/middleware.js';
import { dummyPasswordHash, verifyPassword } from '../auth/password.js';
import {
  ABSOLUTE_TIMEOUT_MS,
  createSession,
  deleteSession,
  resolveSession,
  SESSION_COOKIE,
} from '../auth/sessions.js';
import { findUserRowByEmail, userFromRow } from '../auth/users.js';

const loginBody = z.object({
  email: z.string().trim().min(3).max(200),
  password: z.string().min(1).max(200),
});

export interface AuthRoutesDeps {
  store: Store;
  logger: Logger;
  now: () => Date;
  publicUrl: string;
  loginLimits: LoginThrottleLimits;
  /** Someone signed in: chats waiting for an available agent may go to them now. */
  onSignedIn?: () => void;
}

export function authRoutes(deps: AuthRoutesDeps): Router {
  const router = Router();
  const secure = deps.publicUrl.startsWith('https:');
  const cookieOptions = { httpOnly: true, sameSite: 'lax' as const, secure, path: '/console' };

  router.post('/login', async (req: Request, res: Response) => {
    if (!sameOrigin(req, deps.publicUrl)) {
      res.status(403).json({ error: 'request refused: foreign origin' });
      return;
    }
    const parsed = loginBody.safeParse(req.body);
    if (!parsed.success) {
      res.status(400).json({ error: 'enter your e-mail address and password' });
      return;
    }
    const { email, password } = parsed.data;
    const ip = req.ip ?? 'unknown';
    const now = deps.now();
    // Counted before the password is checked, in one step with the limit check: parallel guesses cannot
    // all pass the check while scrypt runs.
    const reservation = await reserveLoginAttempt(deps.store, ip, email, deps.loginLimits, now);
    if (!reservation.allowed) {
      const wait = reservation.retryAfterSeconds;
      res.setHeader('Retry-After', String(wait));
      res.status(429).json({ error: 'too many failed sign-ins; try again later', retryAfterSeconds: wait });
      return;
    }
    const row = await findUserRowByEmail(deps.store.db, email);
    // Verify against a dummy hash for unknown accounts so the answer time does not tell them apart.
    const ok = await verifyPassword(password, row?.password_hash ?? (await dummyPasswordHash()));
    if (!row || !ok || Number(row.disabled) === 1) {
      // The reservation stays: it is the record of this failure.
      deps.logger.info({ ip }, 'console sign-in failed');
      res.status(401).json({ error: 'e-mail address or password is wrong' });
      return;
    }
    await withdrawLoginAttempt(deps.store.db, reservation.ids, email);
    const session = await createSession(deps.store.db, row.id, now);
    res.cookie(SESSION_COOKIE, session.token, { ...cookieOptions, maxAge: ABSOLUTE_TIMEOUT_MS });
    res.json({ user: userFromRow(row), csrfToken: session.csrfToken });
    deps.onSignedIn?.();
  });

  router.post('/logout', async (req, res) => {
    const token = readCookie(req, SESSION_COOKIE);
    if (token && sameOrigin(req, deps.publicUrl)) {
      const session = await resolveSession(deps.store.db, token, deps.now());
      if (session) await deleteSession(deps.store.db, session.tokenHash);
    }
    res.clearCookie(SESSION_COOKIE, cookieOptions);
    res.json({ ok: true });
  });

  return router;
}
