/**
 * Media in the inbox: an agent uploads an image or PDF for the conversation they own (size limit, type by
 * magic bytes), colleagues view uploads, and customers' photos, voice notes and files are fetched once through
 * the channel's media API (Telegram getFile …), cached in the database and shown in the console.
 * The public route serves an upload to the channels and the web chat by its unguessable token.
 */
import { timingSafeEqual } from 'node:crypto';
import express, { type NextFunction, type Request, type Response, Router } from 'express';
import { fileTypeFromBuffer } from 'file-type';
import { downloadLimited, type FetchedMedia, MediaTooLarge } from '../../channels/media-download.js';
import type { ChannelAdapter } from '../../channels/types.js';
import type { Logger } from '../../logger.js';
import type { ChannelName, MediaReference } from '../../model/index.js';
import type { Store } from '../../store/database.js';
import { fromJson } from '../../store/json.js';
import { hasRole, sessionOf } from '../auth/middleware.js';
import {
  findMedia,
  formatMegabytes,
  type MediaFilesTable,
  MediaRejected,
  storeChannelMedia,
  storeUpload,
} from '../media/files.js';
import { conversationAccessInfo, mayAccess } from './queries.js';

export interface MediaRoutesDeps {
  store: Store;
  adapters: ReadonlyMap<ChannelName, ChannelAdapter>;
  maxBytes: number;
  logger: Logger;
  now: () => Date;
}

/** Where channels and the web chat fetch an agent's upload (absolute, under PUBLIC_URL). */
export function publicMediaUrl(publicUrl: string, file: { id: string; token: string }): string {
  return `${publicUrl.replace(/\/+$/, '')}/console/files/${file.id}/${file.token}`;
}

function sendFile(res: Response, file: MediaFilesTable, privateCache: boolean): void {
  const inline =
    file.mime_type.startsWith('image/') ||
    file.mime_type.startsWith('audio/') ||
    file.mime_type.startsWith('video/');
  res.setHeader('Content-Type', file.mime_type);
  res.setHeader('Content-Length', String(file.content.length));
  res.setHeader('X-Content-Type-Options', 'nosniff');
  // A file never runs as a page of ours, whatever it contains.
  res.setHeader('Content-Security-Policy', "default-src 'none'; sandbox");
  res.setHeader('Cache-Control', privateCache ? 'private, max-age=3600' : 'public, max-age=86400, immutable');
  const name = encodeURIComponent(file.file_name ?? 'file');
  res.setHeader('Content-Disposition', `${inline ? 'inline' : 'attachment'}; filename*=UTF-8''${name}`);
  res.end(file.content);
}

/** GET /console/files/:id/:token — no session: the token is the permission (channels fetch from here). */
export function publicMediaRoute(store: Store): Router {
  const router = Router();
  router.get('/files/:id/:token', async (req, res) => {
    const file = await findMedia(store.db, { id: String(req.params.id) });
    const given = Buffer.from(String(req.params.token));
    if (
      !file ||
      file.origin !== 'upload' ||
      given.length !== file.token.length ||
      !timingSafeEqual(given, Buffer.from(file.token))
    ) {
      res.status(404).type('text/plain').send('no such file');
      return;
    }
    // The web chat widget sits on the brand's site and shows the image from here.
    res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
    res.setHeader('Access-Control-Allow-Origin', '*');
    sendFile(res, file, false);
  });
  return router;
}

export function mediaRoutes(deps: MediaRoutesDeps): Router {
  const router = Router();
  const { store, now } = deps;

  async function visibleConversation(req: Request, res: Response, id: string) {
    const session = sessionOf(req);
    const info = await conversationAccessInfo(store, id);
    if (!info) {
      res.status(404).json({ error: 'no such conversation' });
      return null;
    }
    if (!mayAccess(session.user, hasRole(session, 'supervisor'), info)) {
      res.status(403).json({ error: 'this conversation belongs to another agent or team' });
      return null;
    }
    return { info, session };
  }

  const rawBody = express.raw({ type: () => true, limit: deps.maxBytes });
  const readBody = (req: Request, res: Response, next: NextFunction) =>
    rawBody(req, res, (error?: unknown) => {
      if (!error) return next();
      const type = (error as { type?: string }).type;
      if (type === 'entity.too.large') {
        res.status(413).json({ error: `the file is larger than ${formatMegabytes(deps.maxBytes)}` });
        return;
      }
      next(error);
    });

  router.post('/conversations/:id/attachments', readBody, async (req, res) => {
    const id = String(req.params.id ?? '');
    const found = await visibleConversation(req, res, id);
    if (!found) return;
    const { user } = found.session;
    if (found.info.status !== 'agent' || found.info.assignedAgentId !== user.id) {
      res.status(409).json({ error: 'take the conversation over before sending files' });
      return;
    }
    const bytes = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const header = req.get('X-File-Name');
    let fileName: string | undefined;
    try {
      fileName = header ? decodeURIComponent(header) : undefined;
    } catch {
      fileName = undefined;
    }
    try {
      const stored = await storeUpload(
        store.db,
        { bytes, ...(fileName ? { fileName } : {}), conversationId: id, userId: user.id },
        deps.maxBytes,
        now(),
      );
      res.status(201).json({
        id: stored.id,
        kind: stored.kind,
        mimeType: stored.mimeType,
        fileName: stored.fileName,
        size: stored.size,
        url: `/console/api/media/${stored.id}`,
      });
    } catch (error) {
      if (error instanceof MediaRejected) {
        res.status(error.status).json({ error: error.message });
        return;
      }
      throw error;
    }
  });

  /** An upload, for colleagues who may see its conversation. */
  router.get('/media/:id', async (req, res) => {
    const file = await findMedia(store.db, { id: String(req.params.id) });
    if (!file?.conversation_id) {
      res.status(404).json({ error: 'no such file' });
      return;
    }
    if (!(await visibleConversation(req, res, file.conversation_id))) return;
    sendFile(res, file, true);
  });

  /** The customer's media of one transcript message: fetched through the channel once, then from the cache. */
  router.get('/conversations/:id/messages/:messageId/media', async (req, res) => {
    const id = String(req.params.id ?? '');
    const found = await visibleConversation(req, res, id);
    if (!found) return;
    const row = await store.db
      .selectFrom('messages')
      .select(['details', 'direction'])
      .where('id', '=', String(req.params.messageId))
      .where('conversation_id', '=', id)
      .executeTakeFirst();
    const media = fromJson<{ media?: MediaReference } | null>(row?.details ?? null, null)?.media;
    if (!row || row.direction !== 'in' || !media?.ref || media.kind === 'location') {
      res.status(404).json({ error: 'this message has no file' });
      return;
    }
    const channel = found.info.channel as ChannelName;
    const channelKey = `${channel}:${media.ref}`.slice(0, 500);
    const cached = await findMedia(store.db, { channelKey });
    if (cached) return sendFile(res, cached, true);
    let fetched: FetchedMedia;
    try {
      const adapter = deps.adapters.get(channel);
      if (adapter?.fetchMedia) fetched = await adapter.fetchMedia(media, deps.maxBytes);
      else if (/^https:\/\//.test(media.ref)) fetched = await downloadLimited(media.ref, deps.maxBytes);
      else {
        res.status(404).json({ error: `the ${channel} channel cannot fetch files` });
        return;
      }
    } catch (error) {
      if (error instanceof MediaTooLarge) {
        res.status(413).json({
          error: `the file is larger than ${formatMegabytes(deps.maxBytes)}; open it in the messenger`,
        });
        return;
      }
      deps.logger.warn({ err: error, channel }, 'fetching a customer file failed');
      res.status(502).json({ error: `the ${channel} channel did not hand out the file` });
      return;
    }
    // Telegram's file server says application/octet-stream for photos: the first bytes tell better.
    const mimeType =
      fetched.mimeType ??
      media.mimeType ??
      (await fileTypeFromBuffer(fetched.bytes))?.mime ??
      'application/octet-stream';
    await storeChannelMedia(
      store.db,
      {
        channelKey,
        conversationId: id,
        bytes: fetched.bytes,
        mimeType,
        ...(media.fileName || fetched.fileName ? { fileName: media.fileName ?? fetched.fileName } : {}),
      },
      now(),
    );
    const stored = await findMedia(store.db, { channelKey });
    if (!stored) throw new Error('the fetched file was not stored');
    sendFile(res, stored, true);
  });

  return router;
}
