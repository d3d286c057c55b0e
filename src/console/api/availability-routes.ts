/** Away / available for the signed-in agent, and the team's availability for the assign menu. */
import { Router } from 'express';
import { z } from 'zod';
import type { Store } from '../../store/database.js';
import { type Assigner, AVAILABILITY, agentStates, setAvailability } from '../assignment.js';
import { requireCapability } from '../auth/capabilities.js';
import { sessionOf } from '../auth/middleware.js';

const availabilityBody = z.strictObject({
  status: z.enum(AVAILABILITY, { message: `status is one of ${AVAILABILITY.join(', ')}` }),
});

export function availabilityRoutes(deps: { store: Store; assigner: Assigner; now: () => Date }): Router {
  const router = Router();
  router.use(['/availability', '/me/availability'], requireCapability('inbox'));

  // The open console asks every minute: the heartbeat that keeps the agent "at the console", and a sweep that
  // hands out chats that waited while nobody could take them.
  router.get('/availability', async (req, res) => {
    const me = sessionOf(req).user;
    await deps.assigner.assign();
    const agents = await agentStates(deps.store, deps.now());
    res.json({
      me: agents.find((a) => a.id === me.id)?.availability ?? 'available',
      items: agents.filter((a) => a.role !== 'marketer').map(({ lastAssignedAt: _omit, ...agent }) => agent),
    });
  });

  router.put('/me/availability', async (req, res) => {
    const parsed = availabilityBody.safeParse(req.body);
    if (!parsed.success) {
      res.status(400).json({ error: parsed.error.issues.map((i) => i.message).join('; ') });
      return;
    }
    const me = sessionOf(req).user;
    await setAvailability(deps.store, me.id, parsed.data.status, deps.now());
    // Back from a break: the chats that waited for someone may come now.
    if (parsed.data.status === 'available') await deps.assigner.assign();
    res.json({ status: parsed.data.status });
  });
  return router;
}
