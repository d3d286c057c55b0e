/** Who am I, colleagues, teams, canned replies, metrics (supervisors) and user administration (admins). */
import { type Response, Router } from 'express';
import { z } from 'zod';
import type { Store } from '../../store/database.js';
import { agentStates } from '../assignment.js';
import { capabilitiesOf } from '../auth/capabilities.js';
import { hasRole, requireRole, sessionOf } from '../auth/middleware.js';
import {
  createUser,
  DuplicateEmailError,
  listUsers,
  newUserSchema,
  updateUser,
  userUpdateSchema,
} from '../auth/users.js';
import {
  cannedReplySchema,
  DuplicateShortcutError,
  deleteCannedReply,
  listCannedReplies,
  saveCannedReply,
} from './canned-replies.js';
import { handoffMetrics, type SlaTarget } from './metrics.js';

export interface StaffRoutesDeps {
  store: Store;
  now: () => Date;
  teams: () => Array<{ id: string; name: Record<string, string> }>;
  flows: () => Array<{ id: string; title?: string; steps: string[] }>;
  /** Waiting-time target per handoff reason (ms), from the handoff settings. */
  slaTarget: SlaTarget;
}

function badRequest(res: Response, error: z.ZodError): void {
  res
    .status(400)
    .json({ error: error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ') });
}

const metricsQuery = z.object({
  from: z.coerce.number().int().nonnegative().optional(),
  to: z.coerce.number().int().positive().optional(),
});

export function staffRoutes(deps: StaffRoutesDeps): Router {
  const router = Router();
  const { store, now } = deps;

  router.get('/me', (req, res) => {
    const session = sessionOf(req);
    res.json({
      user: session.user,
      capabilities: capabilitiesOf(session.user.role),
      csrfToken: session.csrfToken,
    });
  });

  router.get('/colleagues', async (_req, res) => {
    // With availability, sign-in and open chats: the assign menu shows who can take one.
    const agents = await agentStates(store, now());
    res.json({
      items: agents.map((a) => ({
        id: a.id,
        displayName: a.displayName,
        team: a.team,
        role: a.role,
        availability: a.availability,
        online: a.online,
        openChats: a.openChats,
      })),
    });
  });

  router.get('/teams', (_req, res) => {
    res.json({ items: deps.teams(), flows: deps.flows() });
  });

  router.get('/canned-replies', async (_req, res) => {
    res.json({ items: await listCannedReplies(store) });
  });

  const saveCanned = async (
    req: Parameters<Parameters<typeof router.post>[1]>[0],
    res: Response,
    id?: string,
  ) => {
    const parsed = cannedReplySchema.safeParse(req.body);
    if (!parsed.success) return badRequest(res, parsed.error);
    try {
      const saved = await saveCannedReply(store, parsed.data, sessionOf(req).user.id, now(), id);
      if (!saved) res.status(404).json({ error: 'no such canned reply' });
      else res.status(id ? 200 : 201).json(saved);
    } catch (error) {
      if (error instanceof DuplicateShortcutError) res.status(409).json({ error: error.message });
      else throw error;
    }
  };
  router.post('/canned-replies', requireRole('supervisor'), (req, res) => saveCanned(req, res));
  router.put('/canned-replies/:id', requireRole('supervisor'), (req, res) =>
    saveCanned(req, res, String(req.params.id)),
  );
  router.delete('/canned-replies/:id', requireRole('supervisor'), async (req, res) => {
    const deleted = await deleteCannedReply(store, String(req.params.id));
    res.status(deleted ? 204 : 404).end();
  });

  router.get('/metrics', requireRole('supervisor'), async (req, res) => {
    const parsed = metricsQuery.safeParse(req.query);
    if (!parsed.success) return badRequest(res, parsed.error);
    const to = new Date(parsed.data.to ?? now().getTime() + 1);
    const from = new Date(parsed.data.from ?? to.getTime() - 7 * 86_400_000);
    if (from >= to) {
      res.status(400).json({ error: 'from must be before to' });
      return;
    }
    res.json({
      from: from.getTime(),
      to: to.getTime(),
      ...(await handoffMetrics(store, from, to, deps.slaTarget, now())),
    });
  });

  router.get('/users', requireRole('admin'), async (_req, res) => {
    res.json({ items: await listUsers(store.db) });
  });

  router.post('/users', requireRole('admin'), async (req, res) => {
    const parsed = newUserSchema.safeParse(req.body);
    if (!parsed.success) return badRequest(res, parsed.error);
    try {
      res.status(201).json(await createUser(store.db, parsed.data, now()));
    } catch (error) {
      if (error instanceof DuplicateEmailError) res.status(409).json({ error: error.message });
      else throw error;
    }
  });

  router.patch('/users/:id', requireRole('admin'), async (req, res) => {
    const parsed = userUpdateSchema.safeParse(req.body);
    if (!parsed.success) return badRequest(res, parsed.error);
    const session = sessionOf(req);
    if (
      String(req.params.id) === session.user.id &&
      (parsed.data.disabled ||
        (parsed.data.role &&
          !hasRole({ ...session, user: { ...session.user, role: parsed.data.role } }, 'admin')))
    ) {
      res.status(400).json({ error: 'you cannot disable or demote your own account' });
      return;
    }
    const user = await updateUser(store.db, String(req.params.id), parsed.data, now());
    if (!user) res.status(404).json({ error: 'no such user' });
    else res.json(user);
  });

  return router;
}
