/** Maps Bot Framework connector failures (`RestError.statusCode`) to the outbox's SendError kinds. */
import { SendError } from '../types.js';

const DEFAULT_RATE_LIMIT_MS = 5_000;

interface RestErrorLike {
  statusCode?: unknown;
  message?: unknown;
  response?: { headers?: { get?: (name: string) => string | undefined | null } };
}

export function toBotFrameworkSendError(error: unknown): SendError {
  if (error instanceof SendError) return error;
  const rest = (typeof error === 'object' && error !== null ? error : {}) as RestErrorLike;
  const status = typeof rest.statusCode === 'number' ? rest.statusCode : null;
  const message = `Bot Framework connector${status ? ` HTTP ${status}` : ''}: ${
    typeof rest.message === 'string' ? rest.message : String(error)
  }`;
  if (status === 429) {
    const header = rest.response?.headers?.get?.('retry-after');
    const seconds = header ? Number(header) : Number.NaN;
    return new SendError(
      message,
      'rate-limited',
      Number.isFinite(seconds) ? seconds * 1000 : DEFAULT_RATE_LIMIT_MS,
    );
  }
  if (status === 401 || status === 403 || status === 404) return new SendError(message, 'permanent');
  if (status === null || status >= 500 || status === 408) return new SendError(message, 'transient');
  // Other 4xx: the activity itself was refused.
  return new SendError(message, 'permanent');
}
