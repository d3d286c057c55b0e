/**
 * The `serviceUrl` of an activity is chosen by whoever sent it, and Plausch POSTs replies there: it must pass
 * the outbound address guard (public addresses only), in every mode. The only exception is an exact origin
 * listed in BOTFRAMEWORK_ALLOWED_SERVICE_URLS (the Bot Framework Emulator or a test connector on 127.0.0.1),
 * which config.ts refuses in production, so a production server can never be pointed at an internal address.
 */
import { type LookupAll, resolveAllowedAddresses } from '../../net/address-guard.js';

export class ServiceUrlNotAllowedError extends Error {
  constructor(
    readonly serviceUrl: string,
    reason: string,
  ) {
    super(`Bot Framework serviceUrl refused: ${reason}`);
    this.name = 'ServiceUrlNotAllowedError';
  }
}

const HINT =
  'list the exact origin in BOTFRAMEWORK_ALLOWED_SERVICE_URLS for the Emulator; not allowed in production';

/** Origin of a URL (scheme://host:port), or null when it is not an http(s) URL. */
export function serviceUrlOrigin(raw: string): string | null {
  try {
    const url = new URL(raw);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : null;
  } catch {
    return null;
  }
}

export function createServiceUrlGuard(options: {
  allowedOrigins: readonly string[];
  lookupAll?: LookupAll;
}): (serviceUrl: string) => Promise<void> {
  const allowed = new Set(options.allowedOrigins.map((o) => serviceUrlOrigin(o)).filter(Boolean));
  return async (serviceUrl) => {
    const origin = serviceUrlOrigin(serviceUrl);
    if (!origin) throw new ServiceUrlNotAllowedError(serviceUrl, 'not an http(s) URL');
    if (allowed.has(origin)) return;
    try {
      await resolveAllowedAddresses(new URL(serviceUrl).hostname, false, options.lookupAll, HINT);
    } catch (error) {
      throw new ServiceUrlNotAllowedError(serviceUrl, (error as Error).message);
    }
  };
}
