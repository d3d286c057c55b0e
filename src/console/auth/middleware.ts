/**
 * Express middleware of the console API: resolves the session cookie (401 without one), enforces CSRF on
 * every state-changing request (X-CSRF-Token + Origin check), and checks roles (403).
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Store } from '../../store/database.js';
import { type ActiveSession, csrfTokenMatches, resolveSession, SESSION_COOKIE } from './sessions.js';
import type { Role } from './users.js';

declare module 'express-serve-static-core' {
  interface Request {
    consoleSession?: ActiveSession;
  }
}

export function readCookie(req: Request, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const index = part.indexOf('=');
    if (index < 0) continue;
    if (part.slice(0, index).trim() === name) {
      try {
        return decodeURIComponent(part.slice(index + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/** Whether a browser request comes from our own origin: Origin (or Referer) must match this server or PUBLIC_URL. */
export function sameOrigin(req: Request, publicUrl: string): boolean {
  const origin = req.get('origin') ?? (req.get('referer') ? safeOrigin(req.get('referer') ?? '') : undefined);
  if (!origin) {
    // Browsers send Origin on every cross-site POST; its absence means a same-origin or non-browser client.
    return req.get('sec-fetch-site') !== 'cross-site';
  }
  const own = `${req.protocol}://${req.get('host') ?? ''}`;
  return origin === own || origin === safeOrigin(publicUrl);
}

function safeOrigin(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

export function requireSession(store: Store, now: () => Date, publicUrl: string): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    const token = readCookie(req, SESSION_COOKIE);
    const session = token ? await resolveSession(store.db, token, now()) : null;
    if (!session) {
      res.status(401).json({ error: 'not signed in' });
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      if (!sameOrigin(req, publicUrl) || !csrfTokenMatches(session.csrfToken, req.get('x-csrf-token'))) {
        res.status(403).json({ error: 'request refused: missing or wrong CSRF token' });
        return;
      }
    }
    req.consoleSession = session;
    next();
  };
}

// The inbox ladder; a marketer is not on it (see capabilities.ts for what a marketer may do).
const RANK: Record<Role, number> = { marketer: 0, agent: 1, supervisor: 2, admin: 3 };

export function hasRole(session: ActiveSession, role: Role): boolean {
  return RANK[session.user.role] >= RANK[role];
}

export function requireRole(role: Role): RequestHandler {
  return (req, res, next) => {
    if (!req.consoleSession || !hasRole(req.consoleSession, role)) {
      res.status(403).json({ error: `this needs the ${role} role` });
      return;
    }
    next();
  };
}

/** The session of a request behind `requireSession`. */
export function sessionOf(req: Request): ActiveSession {
  if (!req.consoleSession) throw new Error('console route mounted without requireSession');
  return req.consoleSession;
}
