/**
 * What each console role may do. Roles are not a ladder any more: a marketer reads results and edits flows
 * but does not work the inbox; an admin may do everything.
 */
import type { RequestHandler } from 'express';
import type { ActiveSession } from './sessions.js';
import type { Role } from './users.js';

export const CAPABILITIES = ['inbox', 'supervise', 'marketing', 'administer'] as const;
export type Capability = (typeof CAPABILITIES)[number];

const GRANTED: Record<Role, readonly Capability[]> = {
  agent: ['inbox'],
  supervisor: ['inbox', 'supervise'],
  marketer: ['marketing'],
  admin: CAPABILITIES,
};

export function capabilitiesOf(role: Role): readonly Capability[] {
  return GRANTED[role];
}

export function hasCapability(session: ActiveSession, capability: Capability): boolean {
  return GRANTED[session.user.role].includes(capability);
}

/** 403 unless the signed-in user's role grants the capability (runs after requireSession). */
export function requireCapability(capability: Capability): RequestHandler {
  return (req, res, next) => {
    if (!req.consoleSession || !hasCapability(req.consoleSession, capability)) {
      res.status(403).json({ error: `your role may not use this (${capability})` });
      return;
    }
    next();
  };
}
