/**
 * Carries runtime events across Plausch instances sharing one PostgreSQL database: every local event is sent
 * with NOTIFY (a small JSON payload with ids, tagged with this instance's id) and every remote one received
 * through LISTEN on a dedicated client is re-published into the local bus. Own notifications are skipped.
 * The channel name includes the schema, so instances (and tests) on other schemas never hear each other.
 */
import type pg from 'pg';
import type { Logger } from '../../logger.js';
import {
  InProcessEventBus,
  type RuntimeEvent,
  type RuntimeEventBus,
  type RuntimeEventListener,
} from '../../runtime/events.js';

interface Envelope {
  from: string;
  event: RuntimeEvent;
}

/** NOTIFY payloads are limited to 8000 bytes; transcript text is dropped from events that would not fit. */
const MAX_PAYLOAD = 7_500;

function slim(event: RuntimeEvent): RuntimeEvent {
  if (event.type !== 'message-recorded') return event;
  return {
    ...event,
    message: {
      ...event.message,
      text: event.message.text ? event.message.text.slice(0, 500) : null,
      details: null,
    },
  };
}

export function encodeEnvelope(from: string, event: RuntimeEvent): string {
  const full = JSON.stringify({ from, event } satisfies Envelope);
  return full.length <= MAX_PAYLOAD ? full : JSON.stringify({ from, event: slim(event) } satisfies Envelope);
}

export function decodeEnvelope(payload: string): Envelope | null {
  try {
    const parsed = JSON.parse(payload) as Envelope;
    if (!parsed || typeof parsed.from !== 'string' || !parsed.event || typeof parsed.event.type !== 'string')
      return null;
    if (parsed.event.type === 'message-recorded')
      parsed.event.message.createdAt = new Date(parsed.event.message.createdAt);
    return parsed;
  } catch {
    return null;
  }
}

export interface PostgresEventRelayOptions {
  pool: pg.Pool;
  instanceId: string;
  logger: Logger;
  local?: InProcessEventBus;
}

/** A RuntimeEventBus that publishes locally and to every other instance. `start()` before use, `stop()` at the end. */
export class PostgresEventRelay implements RuntimeEventBus {
  readonly #local: InProcessEventBus;
  readonly #o: PostgresEventRelayOptions;
  #listener: pg.PoolClient | null = null;
  #channel = 'plausch_events';
  #stopped = false;
  #reconnectTimer: NodeJS.Timeout | null = null;

  constructor(options: PostgresEventRelayOptions) {
    this.#o = options;
    this.#local =
      options.local ??
      new InProcessEventBus((error) => options.logger.warn({ err: error }, 'event listener failed'));
  }

  async start(): Promise<void> {
    const schema = await this.#o.pool.query<{ schema: string }>('select current_schema() as schema');
    this.#channel =
      `plausch_events_${(schema.rows[0]?.schema ?? 'public').replace(/[^a-z0-9_]/gi, '')}`.slice(0, 63);
    await this.#connect();
  }

  async #connect(): Promise<void> {
    const client = await this.#o.pool.connect();
    // A dedicated connection: LISTEN belongs to a session, so it never goes back to the pool while we listen.
    client.on('notification', (message) => {
      if (message.channel !== this.#channel || !message.payload) return;
      const envelope = decodeEnvelope(message.payload);
      if (envelope && envelope.from !== this.#o.instanceId) this.#local.publish(envelope.event);
    });
    client.on('error', (error) => {
      this.#o.logger.warn({ err: error }, 'live event connection lost; reconnecting');
      client.release(error);
      this.#listener = null;
      this.#scheduleReconnect();
    });
    await client.query(`LISTEN ${this.#channel}`);
    this.#listener = client;
  }

  #scheduleReconnect(): void {
    if (this.#stopped || this.#reconnectTimer) return;
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = null;
      this.#connect().catch((error: unknown) => {
        this.#o.logger.warn({ err: error }, 'live event reconnect failed; trying again');
        this.#scheduleReconnect();
      });
    }, 1_000);
    this.#reconnectTimer.unref();
  }

  publish(event: RuntimeEvent): void {
    this.#local.publish(event);
    if (this.#stopped) return;
    this.#o.pool
      .query('select pg_notify($1, $2)', [this.#channel, encodeEnvelope(this.#o.instanceId, event)])
      .catch((error: unknown) =>
        this.#o.logger.warn(
          { err: error, type: event.type },
          'could not relay a live event to other instances',
        ),
      );
  }

  subscribe(listener: RuntimeEventListener): () => void {
    return this.#local.subscribe(listener);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#reconnectTimer) clearTimeout(this.#reconnectTimer);
    const listener = this.#listener;
    this.#listener = null;
    if (listener) {
      await listener.query(`UNLISTEN ${this.#channel}`).catch(() => {});
      listener.release();
    }
  }
}
