/** The one pino logger. Secrets are redacted by path; phone numbers are masked where they are logged. */
import { type Logger, pino } from 'pino';

export type { Logger };

/** `destination` 2 writes to stderr (the terminal chat keeps stdout for the conversation). */
export function createLogger(level: string, pretty = false, destination: 1 | 2 = 1): Logger {
  const options = {
    level,
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
