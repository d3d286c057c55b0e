/**
 * Console routes on conversations: inbox lists, detail, transcript, take over, assign, reply, note, typing,
 * return to the bot, close, and retrying a failed message. Every route checks the role and the conversation.
 */

import { type Request, type Response, Router } from 'express';
import { z } from 'zod';
import type { ChannelAdapter } from '../../channels/types.js';
import { TEMPLATE_NAME } from '../../channels/whatsapp-cloud/templates.js';
import {
  assignTo,
  closeConversation,
  endSession,
  OwnershipConflict,
  recordAgentResponse,
  takeOver,
} from '../../features/handoff/sessions.js';
import type { HandoffSettings } from '../../features/handoff/settings.js';
import type { Logger } from '../../logger.js';
import { type ChannelName, EMPTY_CONVERSATION_STATE, type MediaReference } from '../../model/index.js';
import { retryOutboxRow } from '../../outbox/operations.js';
import type { RuntimeEvent, RuntimeEventBus } from '../../runtime/events.js';
import type { Store } from '../../store/database.js';
import { toJson } from '../../store/json.js';
import { getContact } from '../../store/repositories/contacts.js';
import { insertTranscriptMessage } from '../../store/repositories/transcript.js';
import { hasRole, sessionOf } from '../auth/middleware.js';
import { getUser } from '../auth/users.js';
import { findMedia, toStored } from '../media/files.js';
import { type AgentTemplateSource, agentTemplate, templatesForConversation } from './agent-templates.js';
import { askForRating } from './csat.js';
import { announceSpeaker, firstNameOf, publishSent, sendToCustomer } from './customer-messages.js';
import { publicMediaUrl } from './media-routes.js';
import {
  contactFirstName,
  conversationAccessInfo,
  conversationDetail,
  listInbox,
  mayAccess,
  transcriptWithDelivery,
} from './queries.js';
import { contactNameForReplies, fillReplyVariables } from './reply-variables.js';

export interface ConversationRoutesDeps {
  store: Store;
  events: RuntimeEventBus;
  /** The runtime's way to hand a conversation back to the bot inside a flow. */
  startFlow: (conversationId: string, flowId: string, stepId?: string) => Promise<void>;
  /** Flows that exist, to validate a return target. */
  flowExists: (flowId: string, stepId?: string) => boolean;
  adapters: ReadonlyMap<ChannelName, ChannelAdapter>;
  /** Texts told to the customer and the service levels; null without the handoff feature. */
  handoffSettings: () => HandoffSettings | null;
  /** PUBLIC_URL: channels fetch an agent's upload from there. */
  publicUrl: string;
  /** Waiting-time target (ms) of a handoff with this reason. */
  slaTarget: (reason: string) => number;
  /** An agent's chat ended or moved: waiting chats may be assigned now (assignment rules). */
  onChatEnded?: () => void;
  logger: Logger;
  now: () => Date;
  /** Approved WhatsApp templates an agent may send where the 24-hour window is closed (newsletter feature). */
  whatsappTemplates?: AgentTemplateSource;
}

const listQuery = z.object({
  view: z.enum(['waiting', 'mine', 'open', 'closed', 'all']).default('open'),
  q: z.string().max(200).optional(),
});
const pageQuery = z.object({
  before: z.string().max(64).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(100),
});
const textBody = z.strictObject({ text: z.string().trim().min(1, 'write something first').max(4000) });
const replyBody = z
  .strictObject({
    text: z.string().trim().max(4000).optional(),
    /** An upload of this conversation (POST …/attachments); the text becomes its caption. */
    attachmentId: z.string().min(1).max(64).optional(),
    /** WhatsApp Cloud: the approved template sent instead where the customer's 24-hour window is closed. */
    whatsappTemplate: z
      .string()
      .regex(TEMPLATE_NAME, 'a template name is lowercase letters, digits and _')
      .optional(),
  })
  .refine(
    (b) => Boolean(b.text) || Boolean(b.attachmentId) || Boolean(b.whatsappTemplate),
    'write something, attach a file or choose a template first',
  );
const assignBody = z.strictObject({ agentId: z.string().min(1) });
const tag = z
  .string()
  .trim()
  .regex(/^[\p{L}\p{N}][\p{L}\p{N} _-]{0,39}$/u, 'a tag is 1–40 letters, digits, spaces, - or _');
const contactBody = z
  .strictObject({
    /** The name agents give the contact; empty or null goes back to the platform's name. */
    name: z
      .string()
      .trim()
      .max(80, 'at most 80 characters')
      .nullable()
      .transform((v) => v || null)
      .optional(),
    tags: z.array(tag).max(30, 'at most 30 tags').optional(),
  })
  .refine((b) => b.name !== undefined || b.tags !== undefined, 'give a name or tags');
const returnBody = z.strictObject({
  flow: z.string().min(1).max(100).optional(),
  step: z.string().min(1).max(100).optional(),
});

function publishAll(events: RuntimeEventBus, list: readonly RuntimeEvent[]): void {
  for (const event of list) events.publish(event);
}

function badRequest(res: Response, error: z.ZodError): void {
  res
    .status(400)
    .json({ error: error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ') });
}

const TYPING_INTERVAL_MS = 4_000;

function targetOf(conversationId: string, info: { contactId: string; channel: string }) {
  return { conversationId, contactId: info.contactId, channel: info.channel };
}

export function conversationRoutes(deps: ConversationRoutesDeps): Router {
  const router = Router();
  const { store, events, now } = deps;
  const lastTyping = new Map<string, number>();

  /** Loads the conversation and checks that this user may see it; answers 404/403 itself. */
  async function access(req: Request, res: Response, beforeForbidden?: () => Promise<boolean>) {
    const session = sessionOf(req);
    const id = String(req.params.id ?? '');
    const info = await conversationAccessInfo(store, id);
    if (!info) {
      res.status(404).json({ error: 'no such conversation' });
      return null;
    }
    if (!mayAccess(session.user, hasRole(session, 'supervisor'), info)) {
      if (await beforeForbidden?.()) return null;
      res.status(403).json({ error: 'this conversation belongs to another agent or team' });
      return null;
    }
    return { id, info, session };
  }

  /** The rating question after a chat with a person; a failure to ask never fails the close itself. */
  async function rate(id: string, info: { contactId: string; channel: string }, at: Date): Promise<void> {
    try {
      await askForRating(
        store,
        events,
        deps.handoffSettings(),
        targetOf(id, info),
        deps.adapters.get(info.channel as ChannelName)?.capabilities,
        at,
      );
    } catch (error) {
      deps.logger.error({ err: error, conversationId: id }, 'could not ask for the rating');
    }
  }

  function conflict(res: Response, error: unknown): boolean {
    if (!(error instanceof OwnershipConflict)) return false;
    res.status(409).json({ error: error.message, ownerId: error.ownerId, status: error.status });
    return true;
  }

  router.get('/conversations', async (req, res) => {
    const parsed = listQuery.safeParse(req.query);
    if (!parsed.success) return badRequest(res, parsed.error);
    const session = sessionOf(req);
    const items = await listInbox(
      store,
      session.user,
      parsed.data.view,
      parsed.data.q,
      hasRole(session, 'supervisor'),
      deps.slaTarget,
    );
    res.json({ items, now: now().getTime() });
  });

  router.get('/conversations/:id', async (req, res) => {
    const found = await access(req, res);
    if (!found) return;
    res.json(await conversationDetail(store, found.id));
  });

  router.patch('/conversations/:id/contact', async (req, res) => {
    const parsed = contactBody.safeParse(req.body);
    if (!parsed.success) return badRequest(res, parsed.error);
    const found = await access(req, res);
    if (!found) return;
    const erased = await store.db
      .selectFrom('contacts')
      .select('erased_at')
      .where('id', '=', found.info.contactId)
      .executeTakeFirst();
    if (erased?.erased_at !== null && erased?.erased_at !== undefined) {
      res.status(409).json({ error: 'this contact was erased' });
      return;
    }
    const { name, tags } = parsed.data;
    await store.db
      .updateTable('contacts')
      .set({
        ...(name !== undefined ? { agent_name: name } : {}),
        ...(tags !== undefined ? { tags: JSON.stringify([...new Set(tags)]) } : {}),
      })
      .where('id', '=', found.info.contactId)
      .execute();
    const detail = await conversationDetail(store, found.id);
    res.json(detail?.contact ?? null);
  });

  router.get('/conversations/:id/messages', async (req, res) => {
    const parsed = pageQuery.safeParse(req.query);
    if (!parsed.success) return badRequest(res, parsed.error);
    const found = await access(req, res);
    if (!found) return;
    res.json(await transcriptWithDelivery(store, found.id, parsed.data.before, parsed.data.limit));
  });

  router.post('/conversations/:id/take', async (req, res) => {
    // Someone else owns it already: say who (409), as a racing loser hears, not a bare 403.
    const ownedByOther = async (): Promise<boolean> => {
      const owner = await conversationAccessInfo(store, String(req.params.id ?? ''));
      const me = sessionOf(req).user;
      if (!owner?.assignedAgentId || owner.assignedAgentId === me.id || hasRole(sessionOf(req), 'supervisor'))
        return false;
      const ownerUser = await getUser(store.db, owner.assignedAgentId);
      res.status(409).json({
        error: `${ownerUser?.displayName ?? 'another agent'} already owns this conversation`,
        ownerId: owner.assignedAgentId,
        ownerName: ownerUser?.displayName ?? null,
      });
      return true;
    };
    if (await ownedByOther()) return;
    // The other agent's take may commit between the check above and the access check: that loser must
    // hear 409 with the owner too, not the access check's 403 (seen on PostgreSQL under load).
    const found = await access(req, res, ownedByOther);
    if (!found) return;
    const { user } = found.session;
    try {
      const change = await takeOver(
        store,
        found.id,
        { id: user.id, name: user.displayName, team: user.team },
        now(),
      );
      publishAll(events, change.events);
      if (found.info.assignedAgentId !== user.id)
        await announceSpeaker(
          store,
          events,
          deps.handoffSettings(),
          targetOf(found.id, found.info),
          { kind: 'agent-joined', agent: user },
          now(),
        );
      res.json({ ok: true, assignedAgentId: user.id });
    } catch (error) {
      if (error instanceof OwnershipConflict && error.ownerId) {
        const owner = await getUser(store.db, error.ownerId);
        res.status(409).json({
          error: `${owner?.displayName ?? 'another agent'} already owns this conversation`,
          ownerId: error.ownerId,
          ownerName: owner?.displayName ?? null,
        });
        return;
      }
      if (!conflict(res, error)) throw error;
    }
  });

  router.post('/conversations/:id/assign', async (req, res) => {
    const parsed = assignBody.safeParse(req.body);
    if (!parsed.success) return badRequest(res, parsed.error);
    const found = await access(req, res);
    if (!found) return;
    const { user } = found.session;
    // Agents may pass on what they own; assigning anything else is a supervisor's job.
    if (!hasRole(found.session, 'supervisor') && found.info.assignedAgentId !== user.id) {
      res.status(403).json({ error: 'only supervisors assign conversations they do not own' });
      return;
    }
    const target = await getUser(store.db, parsed.data.agentId);
    if (!target || target.disabled) {
      res.status(400).json({ error: 'no such active colleague' });
      return;
    }
    const change = await assignTo(
      store,
      found.id,
      { id: target.id, name: target.displayName },
      { id: user.id, name: user.displayName },
      now(),
    );
    publishAll(events, change.events);
    if (found.info.assignedAgentId !== target.id)
      await announceSpeaker(
        store,
        events,
        deps.handoffSettings(),
        targetOf(found.id, found.info),
        { kind: 'agent-joined', agent: target },
        now(),
      );
    deps.onChatEnded?.();
    res.json({ ok: true, assignedAgentId: target.id });
  });

  router.post('/conversations/:id/reply', async (req, res) => {
    const parsed = replyBody.safeParse(req.body);
    if (!parsed.success) return badRequest(res, parsed.error);
    const found = await access(req, res);
    if (!found) return;
    const { user } = found.session;
    if (found.info.status !== 'agent' || found.info.assignedAgentId !== user.id) {
      res.status(409).json({ error: 'take the conversation over before replying' });
      return;
    }
    const at = now();
    const target = targetOf(found.id, found.info);
    let media: MediaReference | undefined;
    if (parsed.data.attachmentId) {
      const file = await findMedia(store.db, { id: parsed.data.attachmentId });
      if (file?.origin !== 'upload' || file.conversation_id !== found.id) {
        res.status(400).json({ error: 'attachmentId: no such upload in this conversation' });
        return;
      }
      const stored = toStored(file);
      media = {
        kind: stored.kind,
        ref: publicMediaUrl(deps.publicUrl, file),
        mimeType: stored.mimeType,
        size: stored.size,
        ...(stored.fileName ? { fileName: stored.fileName } : {}),
      };
    }
    let template: Awaited<ReturnType<typeof agentTemplate>> = null;
    if (parsed.data.whatsappTemplate) {
      if (found.info.channel !== 'whatsapp-cloud') {
        res
          .status(400)
          .json({ error: 'whatsappTemplate: templates are for WhatsApp Cloud conversations only' });
        return;
      }
      template = await agentTemplate(
        store,
        deps.whatsappTemplates,
        found.info.contactId,
        parsed.data.whatsappTemplate,
      );
      if (!template) {
        res.status(400).json({
          error: `whatsappTemplate: unknown template "${parsed.data.whatsappTemplate}" (see flows/whatsapp/templates.yaml)`,
        });
        return;
      }
    }
    const typed = parsed.data.text || undefined;
    const contactRow = await store.db
      .selectFrom('contacts')
      .selectAll()
      .where('id', '=', found.info.contactId)
      .executeTakeFirst();
    const filled =
      typed && contactRow
        ? fillReplyVariables(typed, {
            contact: { firstName: contactFirstName(contactRow), name: contactNameForReplies(contactRow) },
            agent: { name: firstNameOf(user.displayName), fullName: user.displayName },
          })
        : typed;
    // A template alone: the transcript shows the text the customer reads.
    const text = filled || (template && !media ? template.text : undefined);
    const result = await store.db.transaction().execute(async (trx) => {
      const details: Record<string, unknown> = {
        ...(parsed.data.attachmentId ? { mediaId: parsed.data.attachmentId } : {}),
        ...(template ? { template: template.reference } : {}),
      };
      const sent = await sendToCustomer(
        trx,
        target,
        {
          ...(text ? { text } : {}),
          ...(media ? { media } : {}),
          ...(template ? { template: template.reference } : {}),
          sender: { role: 'agent', name: firstNameOf(user.displayName) },
        },
        {
          author: 'agent',
          agentId: user.id,
          ...(Object.keys(details).length > 0 ? { details } : {}),
        },
        at,
      );
      await recordAgentResponse(trx, found.id, at);
      return sent;
    });
    publishSent(events, target, result);
    res.status(201).json({ id: result.message.id, outboxId: result.outboxId });
  });

  /** Whether the WhatsApp window is open and which templates this customer would get (agent's composer). */
  router.get('/conversations/:id/templates', async (req, res) => {
    const found = await access(req, res);
    if (!found) return;
    const row = await store.db
      .selectFrom('conversations')
      .select('window_expires_at')
      .where('id', '=', found.id)
      .executeTakeFirst();
    res.json(
      await templatesForConversation(
        store,
        deps.whatsappTemplates,
        {
          contactId: found.info.contactId,
          channel: found.info.channel,
          windowExpiresAt: row?.window_expires_at == null ? null : Number(row.window_expires_at),
        },
        now(),
      ),
    );
  });

  router.post('/conversations/:id/note', async (req, res) => {
    const parsed = textBody.safeParse(req.body);
    if (!parsed.success) return badRequest(res, parsed.error);
    const found = await access(req, res);
    if (!found) return;
    const { user } = found.session;
    const message = await insertTranscriptMessage(
      store.db,
      {
        conversationId: found.id,
        contactId: found.info.contactId,
        direction: 'internal',
        author: 'agent',
        agentId: user.id,
        text: parsed.data.text,
        details: { kind: 'note' },
      },
      now(),
    );
    events.publish({ type: 'message-recorded', conversationId: found.id, message });
    res.status(201).json({ id: message.id });
  });

  router.post('/conversations/:id/typing', async (req, res) => {
    const found = await access(req, res);
    if (!found) return;
    const adapter = deps.adapters.get(found.info.channel as ChannelName);
    const last = lastTyping.get(found.id) ?? 0;
    const t = now().getTime();
    // Platforms show "typing…" for a few seconds per call; more often helps nobody and costs rate limit.
    if (!adapter?.sendTyping || t - last < TYPING_INTERVAL_MS) {
      res.json({ sent: false });
      return;
    }
    lastTyping.set(found.id, t);
    const contact = await getContact(store.db, found.info.contactId);
    if (contact) void adapter.sendTyping({ contact, conversationId: found.id }).catch(() => {});
    res.json({ sent: Boolean(contact) });
  });

  router.post('/conversations/:id/return', async (req, res) => {
    const parsed = returnBody.safeParse(req.body ?? {});
    if (!parsed.success) return badRequest(res, parsed.error);
    const found = await access(req, res);
    if (!found) return;
    const { user } = found.session;
    if (!hasRole(found.session, 'supervisor') && found.info.assignedAgentId !== user.id) {
      res.status(403).json({ error: 'only the owner or a supervisor returns a conversation to the bot' });
      return;
    }
    const { flow, step } = parsed.data;
    if (flow && !deps.flowExists(flow, step)) {
      res.status(400).json({ error: `no flow step ${flow}${step ? `.${step}` : ''}` });
      return;
    }
    const at = now();
    // Said before the flow speaks, so the customer reads "back to the assistant" first.
    await announceSpeaker(
      store,
      events,
      deps.handoffSettings(),
      targetOf(found.id, found.info),
      { kind: 'bot-back' },
      at,
    );
    if (flow) {
      // Into a flow step: the flow speaks next, so no rating question gets in between.
      await endSession(store.db, found.id, 'returned', at);
      await deps.startFlow(found.id, flow, step);
    } else {
      const line = await store.db.transaction().execute(async (trx) => {
        await endSession(trx, found.id, 'returned', at);
        await trx
          .updateTable('conversations')
          .set({
            status: 'bot',
            assigned_agent_id: null,
            state: toJson(EMPTY_CONVERSATION_STATE),
            updated_at: at.getTime(),
          })
          .where('id', '=', found.id)
          .execute();
        return insertTranscriptMessage(
          trx,
          {
            conversationId: found.id,
            contactId: found.info.contactId,
            direction: 'internal',
            author: 'system',
            agentId: user.id,
            text: `${user.displayName} returned the conversation to the bot`,
            details: { kind: 'returned' },
          },
          at,
        );
      });
      events.publish({ type: 'message-recorded', conversationId: found.id, message: line });
      events.publish({
        type: 'conversation-changed',
        conversationId: found.id,
        status: 'bot',
        assignedAgentId: null,
        reason: 'returned to the bot',
      });
      if (deps.handoffSettings()?.csat.ask_on_return) await rate(found.id, found.info, at);
    }
    deps.onChatEnded?.();
    res.json({ ok: true });
  });

  router.post('/conversations/:id/close', async (req, res) => {
    const found = await access(req, res);
    if (!found) return;
    const { user } = found.session;
    if (!hasRole(found.session, 'supervisor') && found.info.assignedAgentId !== user.id) {
      res.status(403).json({ error: 'only the owner or a supervisor closes a conversation' });
      return;
    }
    const at = now();
    const change = await closeConversation(store, found.id, { id: user.id, name: user.displayName }, at);
    publishAll(events, change.events);
    await rate(found.id, found.info, at);
    deps.onChatEnded?.();
    res.json({ ok: true });
  });

  router.post('/outbox/:id/retry', async (req, res) => {
    const session = sessionOf(req);
    const id = String(req.params.id ?? '');
    const row = await store.db
      .selectFrom('outbox')
      .select(['conversation_id'])
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row?.conversation_id) {
      res.status(404).json({ error: 'no such message' });
      return;
    }
    const info = await conversationAccessInfo(store, row.conversation_id);
    if (!info || !mayAccess(session.user, hasRole(session, 'supervisor'), info)) {
      res.status(403).json({ error: 'this conversation belongs to another agent or team' });
      return;
    }
    const outcome = await retryOutboxRow(store, events, id, now());
    if (outcome === 'queued') res.json({ ok: true });
    else res.status(409).json({ error: 'only failed or held messages can be sent again' });
  });

  return router;
}
