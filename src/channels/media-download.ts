/**
 * Downloads a customer's file from a platform's media URL with a size limit that holds while streaming (a
 * lying or missing Content-Length cannot make us read more), and a timeout.
 */
import type { MediaReference } from '../model/index.js';

export interface FetchedMedia {
  bytes: Buffer;
  /** As the platform reports it; null when it says nothing useful. */
  mimeType: string | null;
  fileName?: string;
}

/** The file is larger than the limit: the console says so instead of showing it. */
export class MediaTooLarge extends Error {
  constructor(readonly limitBytes: number) {
    super(`the file is larger than the limit of ${limitBytes} bytes`);
    this.name = 'MediaTooLarge';
  }
}

/** Fetches a customer's media through the channel's API (Telegram getFile, WhatsApp Cloud media id …). */
export type MediaFetcher = (media: MediaReference, maxBytes: number) => Promise<FetchedMedia>;

export async function downloadLimited(
  url: string,
  maxBytes: number,
  init: { headers?: Record<string, string>; timeoutMs?: number } = {},
): Promise<FetchedMedia> {
  const response = await fetch(url, {
    ...(init.headers ? { headers: init.headers } : {}),
    signal: AbortSignal.timeout(init.timeoutMs ?? 30_000),
    redirect: 'follow',
  });
  if (!response.ok || !response.body) throw new Error(`the media download answered HTTP ${response.status}`);
  const declared = Number(response.headers.get('content-length') ?? '0');
  if (declared > maxBytes) {
    await response.body.cancel();
    throw new MediaTooLarge(maxBytes);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    total += chunk.byteLength;
    if (total > maxBytes) throw new MediaTooLarge(maxBytes);
    chunks.push(Buffer.from(chunk));
  }
  const type = response.headers.get('content-type')?.split(';')[0]?.trim() || null;
  return { bytes: Buffer.concat(chunks), mimeType: type === 'application/octet-stream' ? null : type };
}
