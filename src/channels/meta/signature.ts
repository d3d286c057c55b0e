/**
 * Checks Meta's `X-Hub-Signature-256` header: an HMAC-SHA256 of the exact request bytes with the app secret.
 * The raw bytes matter: Meta escapes non-ASCII characters (`\u00f6`), so re-serialised JSON would not match.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const META_SIGNATURE_HEADER = 'x-hub-signature-256';

export type MetaSignatureVerdict = 'valid' | 'missing' | 'invalid';

/** `sha256=<hex>` for `rawBody`; what Meta sends and what test fixtures are signed with. */
export function signMetaPayload(rawBody: Buffer | string, appSecret: string): string {
  return `sha256=${createHmac('sha256', appSecret).update(rawBody).digest('hex')}`;
}

/** Compares the header against our own HMAC in constant time; a malformed header is `invalid`, not an error. */
export function verifyMetaSignature(
  rawBody: Buffer,
  header: string | string[] | undefined,
  appSecret: string,
): MetaSignatureVerdict {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value || value.trim() === '') return 'missing';
  const match = /^sha256=([0-9a-fA-F]{64})$/.exec(value.trim());
  if (!match?.[1]) return 'invalid';
  const expected = createHmac('sha256', appSecret).update(rawBody).digest();
  const received = Buffer.from(match[1], 'hex');
  return received.length === expected.length && timingSafeEqual(received, expected) ? 'valid' : 'invalid';
}
