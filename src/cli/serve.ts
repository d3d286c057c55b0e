/**
 * `plausch serve` / `npm start`: starts everything and shuts down gracefully on SIGTERM/SIGINT:
 * stop taking new work, let in-flight turns and sends finish, close the store.
 */
import type { Server } from 'node:http';
import { createPlausch, PLAUSCH_VERSION } from '../app/plausch.js';
import { loadConfig } from '../config.js';
import { createLogger } from '../logger.js';

const SHUTDOWN_GRACE_MS = 15_000;

export async function serve(): Promise<number | undefined> {
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL, process.stdout.isTTY && config.NODE_ENV !== 'production');
  const plausch = await createPlausch({ config, logger });
  await plausch.start();

  let server: Server;
  try {
    server = await new Promise((resolve, reject) => {
      // Express 5 hands a listen error (EADDRINUSE, EACCES) to this callback instead of throwing.
      const listening = plausch.http.listen(config.PORT, config.HOST, (error?: Error) =>
        error ? reject(error) : resolve(listening),
      );
    });
  } catch (error) {
    // Workers already run: stop them, or the process would keep working without HTTP.
    await plausch.stop();
    throw new Error(describeListenError(error, config.HOST, config.PORT));
  }
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  logger.info(
    {
      port,
      store: plausch.store.description,
      channels: [...plausch.adapters.keys()],
      version: PLAUSCH_VERSION,
    },
    `Plausch is listening on http://localhost:${port} — open it in a browser to chat with the sample flows`,
  );

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: finishing work in flight');
    const forced = setTimeout(() => {
      logger.error('shutdown took too long; exiting');
      process.exit(1);
    }, SHUTDOWN_GRACE_MS);
    forced.unref();
    // Stop accepting connections first; keep-alive sockets are closed once idle.
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    await plausch.stop();
    await closed;
    clearTimeout(forced);
    logger.info('stopped');
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
  // SIGHUP: re-read flows and the features' own files (events, topics, campaigns) after an edit.
  process.on('SIGHUP', () => {
    void (async () => {
      await plausch.flows.reload();
      for (const feature of plausch.features) {
        try {
          await feature.reload?.();
        } catch (error) {
          logger.error({ err: error, feature: feature.name }, 'reload refused; keeping the previous data');
        }
      }
      logger.info('reloaded on SIGHUP');
    })();
  });
  return undefined;
}

function describeListenError(error: unknown, host: string, port: number): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE')
    return `cannot listen on ${host}:${port}: the port is already in use (another Plausch? set PORT to a free port)`;
  if (code === 'EACCES')
    return `cannot listen on ${host}:${port}: permission denied (ports below 1024 need privileges; use PORT=3000)`;
  return `cannot listen on ${host}:${port}: ${error instanceof Error ? error.message : String(error)}`;
}
