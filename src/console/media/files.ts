/**
 * Inbox media files in the database (so every instance of a cluster serves them): agents' uploads, checked by
 * their first bytes (not the name or the browser's claim), and customers' files fetched once from a channel.
 */
import { randomBytes } from 'node:crypto';
import { fileTypeFromBuffer } from 'file-type';
import type { Kysely } from 'kysely';
import type { MediaKind } from '../../model/index.js';
import { newId } from '../../store/ids.js';
import type { CoreTables } from '../../store/schema.js';

export type MediaFilesTable = {
  id: string;
  token: string;
  conversation_id: string | null;
  origin: 'upload' | 'channel';
  channel_key: string | null;
  file_name: string | null;
  mime_type: string;
  size_bytes: number;
  content: Buffer;
  created_by: string | null;
  created_at: number;
};

export type MediaTables = {
  media_files: MediaFilesTable;
};

type Db = Kysely<CoreTables>;
const media = (db: Db) => db.withTables<MediaTables>();

/** What agents may send: types every channel shows and whose first bytes say what they are. */
export const UPLOAD_TYPES: Readonly<Record<string, MediaKind>> = {
  'image/jpeg': 'image',
  'image/png': 'image',
  'image/gif': 'image',
  'image/webp': 'image',
  'application/pdf': 'file',
};

export class MediaRejected extends Error {
  constructor(
    message: string,
    readonly status: 400 | 413 | 415,
  ) {
    super(message);
    this.name = 'MediaRejected';
  }
}

export interface StoredMedia {
  id: string;
  token: string;
  fileName: string | null;
  mimeType: string;
  size: number;
  kind: MediaKind;
}

/** A file name safe to show and to put in a header: no path, no control characters, at most 120 characters. */
export function cleanFileName(name: string | undefined, fallback: string): string {
  const base = (name ?? '').split(/[\\/]/).pop() ?? '';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
  const clean = base.replace(/[\u0000-\u001f\u007f"]/g, '').trim();
  return (clean || fallback).slice(0, 120);
}

/** Checks and stores an agent's upload; throws MediaRejected (413 too large, 415 wrong type, 400 empty). */
export async function storeUpload(
  db: Db,
  upload: { bytes: Buffer; fileName?: string; conversationId: string; userId: string },
  maxBytes: number,
  now: Date,
): Promise<StoredMedia> {
  if (upload.bytes.length === 0) throw new MediaRejected('the file is empty', 400);
  if (upload.bytes.length > maxBytes)
    throw new MediaRejected(`the file is larger than ${formatMegabytes(maxBytes)}`, 413);
  const detected = await fileTypeFromBuffer(upload.bytes);
  const kind = detected ? UPLOAD_TYPES[detected.mime] : undefined;
  if (!detected || !kind)
    throw new MediaRejected('only images (JPEG, PNG, GIF, WebP) and PDF files can be sent', 415);
  const row: MediaFilesTable = {
    id: newId(now.getTime()),
    token: randomBytes(18).toString('base64url'),
    conversation_id: upload.conversationId,
    origin: 'upload',
    channel_key: null,
    file_name: cleanFileName(upload.fileName, `file.${detected.ext}`),
    mime_type: detected.mime,
    size_bytes: upload.bytes.length,
    content: upload.bytes,
    created_by: upload.userId,
    created_at: now.getTime(),
  };
  await media(db).insertInto('media_files').values(row).execute();
  return toStored(row, kind);
}

export function formatMegabytes(bytes: number): string {
  const mb = bytes / 1024 / 1024;
  return `${mb >= 10 ? Math.round(mb) : Math.round(mb * 10) / 10} MB`;
}

/** Caches a customer's file fetched from a channel; a second fetch of the same media id keeps the first. */
export async function storeChannelMedia(
  db: Db,
  file: { channelKey: string; conversationId: string; bytes: Buffer; mimeType: string; fileName?: string },
  now: Date,
): Promise<void> {
  await media(db)
    .insertInto('media_files')
    .values({
      id: newId(now.getTime()),
      token: randomBytes(18).toString('base64url'),
      conversation_id: file.conversationId,
      origin: 'channel',
      channel_key: file.channelKey,
      file_name: file.fileName ? cleanFileName(file.fileName, 'file') : null,
      mime_type: file.mimeType,
      size_bytes: file.bytes.length,
      content: file.bytes,
      created_by: null,
      created_at: now.getTime(),
    })
    .onConflict((oc) => oc.column('channel_key').doNothing())
    .execute();
}

export async function findMedia(
  db: Db,
  where: { id: string } | { channelKey: string },
): Promise<MediaFilesTable | null> {
  let query = media(db).selectFrom('media_files').selectAll();
  query =
    'id' in where ? query.where('id', '=', where.id) : query.where('channel_key', '=', where.channelKey);
  const row = await query.executeTakeFirst();
  return row ? { ...row, size_bytes: Number(row.size_bytes), content: Buffer.from(row.content) } : null;
}

export function toStored(row: MediaFilesTable, kind?: MediaKind): StoredMedia {
  return {
    id: row.id,
    token: row.token,
    fileName: row.file_name,
    mimeType: row.mime_type,
    size: Number(row.size_bytes),
    kind: kind ?? UPLOAD_TYPES[row.mime_type] ?? 'file',
  };
}
