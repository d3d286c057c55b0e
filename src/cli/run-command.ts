/**
 * Runs one CLI command: its result is the exit code; a configuration error is printed as the readable list
 * it is, and any other failure as one line (with the stack only under LOG_LEVEL=debug).
 */
import { ConfigError } from '../config.js';

export async function runCommand(command: () => Promise<number | undefined>): Promise<void> {
  try {
    const code = await command();
    if (code !== undefined) process.exitCode = code;
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n\nSee .env.example for every variable.\n`);
    } else if (error instanceof Error) {
      process.stderr.write(`plausch: ${error.message}\n`);
      if (process.env.LOG_LEVEL === 'debug') process.stderr.write(`${error.stack ?? ''}\n`);
    } else {
      process.stderr.write(`plausch: ${String(error)}\n`);
    }
    process.exitCode = 1;
  }
}
