/** The one pino logger. Secrets are redacted by path; phone numbers are masked where they are logged. */
import { type Logger, type LoggerOptions, pino } from 'pino';
import { currentRequestId } from './http/request-context.js';

export type { Logger };

/** Level, redaction and the request id on every line; shared by createLogger and tests that read the log. */
export function loggerOptions(level: string): LoggerOptions {
  return {
    level,
    // Every line written while a request, or the turn or send it caused, is handled names its request id.
    mixin: () => {
      const requestId = currentRequestId();
      return requestId ? { requestId } : {};
    },
    redact: {
      paths: [
        '*.token',
        '*.password',
        '*.secret',
        '*.authorization',
        'req.headers.authorization',
        'req.headers.cookie',
        '*.access_token',
        '*.phone',
      ],
      censor: '[redacted]',
    },
  };
}

/** `destination` 2 writes to stderr (the terminal chat keeps stdout for the conversation). */
export function createLogger(level: string, pretty = false, destination: 1 | 2 = 1): Logger {
  const options = loggerOptions(level);
  if (pretty) {
    return pino({
      ...options,
      transport: {
        target: 'pino-pretty',
        options: { colorize: true, translateTime: 'HH:MM:ss', destination },
      },
    });
  }
  return pino(options, pino.destination(destination));
}

/** Keeps the last three digits of a phone number or chat id: enough to tell people apart in a log, no more. */
export function maskContactId(id: string): string {
  if (id.length <= 4) return '***';
  return `***${id.slice(-3)}`;
}

/** A logger that throws nothing away silently in tests but prints nothing. */
export const silentLogger: Logger = pino({ level: 'silent' });
