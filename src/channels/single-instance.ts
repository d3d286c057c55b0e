/**
 * Runs a channel on exactly one instance of a cluster: a channel whose connection cannot be shared (WhatsApp
 * Web drives one logged-in browser session; two instances on the same session log each other out) starts
 * only on the instance holding the channel's lease in `job_leases`. The holder renews it every `renewMs`;
 * the others stay on standby and take over once it ran out (`leaseMs` after a crash, at once after a clean
 * stop, which hands the lease back). A holder that cannot renew (database away) stops the channel itself
 * when its lease ends, before anyone else may start it: never two sessions at once.
 */
import type { Kysely } from 'kysely';
import type { Logger } from '../logger.js';
import type { Store } from '../store/database.js';
import { type ChannelAdapter, type ChannelHealth, type InboundSink, SendError } from './types.js';

type LeaseTables = {
  job_leases: { name: string; holder: string; expires_at: number; last_run_at: number | null };
};

export interface SingleInstanceOptions {
  store: Store;
  instanceId: string;
  logger: Logger;
  leaseMs?: number;
  renewMs?: number;
  now?: () => number;
}

/** Takes or renews the lease: true when `holder` holds it until `now + leaseMs`. */
export async function holdLease(
  store: Store,
  name: string,
  holder: string,
  now: number,
  leaseMs: number,
): Promise<{ held: boolean; holder: string | null }> {
  const db = store.db.withTables<LeaseTables>() as unknown as Kysely<LeaseTables>;
  const expires = now + leaseMs;
  await db
    .insertInto('job_leases')
    .values({ name, holder, expires_at: expires, last_run_at: null })
    .onConflict((oc) =>
      oc
        .column('name')
        .doUpdateSet({ holder, expires_at: expires })
        .where((eb) => eb.or([eb('job_leases.expires_at', '<=', now), eb('job_leases.holder', '=', holder)])),
    )
    .execute();
  const row = await db
    .selectFrom('job_leases')
    .select(['holder', 'expires_at'])
    .where('name', '=', name)
    .executeTakeFirst();
  return { held: row?.holder === holder && Number(row.expires_at) === expires, holder: row?.holder ?? null };
}

export function runOnOneInstance<A extends ChannelAdapter>(
  inner: A,
  options: SingleInstanceOptions,
): A & { sendsHere(): boolean } {
  const leaseMs = options.leaseMs ?? 30_000;
  const renewMs = options.renewMs ?? Math.floor(leaseMs / 3);
  const now = options.now ?? Date.now;
  const leaseName = `channel:${inner.name}`;
  const log = options.logger.child({ channel: inner.name, lease: leaseName });
  let sink: InboundSink | null = null;
  let active = false;
  let heldUntil = 0;
  let holder: string | null = null;
  let timer: NodeJS.Timeout | null = null;
  let ticking: Promise<void> = Promise.resolve();

  const tick = async () => {
    if (!sink) return;
    const at = now();
    let held = false;
    try {
      const result = await holdLease(options.store, leaseName, options.instanceId, at, leaseMs);
      held = result.held;
      holder = result.holder;
      if (held) heldUntil = at + leaseMs;
    } catch (error) {
      // Cannot renew: keep running only as long as the lease we already hold lasts.
      // Stop two renewals early: the next check may come late, and a standby may start at the expiry.
      held = active && now() < heldUntil - 2 * renewMs;
      log.warn({ err: error, stillHeld: held }, 'could not renew the channel lease');
    }
    if (held && !active && sink) {
      log.info('this instance holds the lease: starting the channel');
      active = true;
      await inner.start(sink);
    } else if (!held && active) {
      log.warn({ holder }, 'lease lost: stopping the channel here');
      active = false;
      await inner.stop();
    }
  };
  const schedule = () => {
    ticking = ticking
      .then(tick)
      .catch((error: unknown) => log.error({ err: error }, 'channel lease check failed'));
    return ticking;
  };

  const overrides: Partial<ChannelAdapter> = {
    async start(inboundSink) {
      sink = inboundSink;
      await schedule();
      timer = setInterval(() => void schedule(), renewMs);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = null;
      sink = null;
      await ticking;
      if (active) {
        active = false;
        await inner.stop();
        // Hand the lease back so a standby instance takes over at once.
        const db = options.store.db.withTables<LeaseTables>() as unknown as Kysely<LeaseTables>;
        await db
          .updateTable('job_leases')
          .set({ expires_at: now() })
          .where('name', '=', leaseName)
          .where('holder', '=', options.instanceId)
          .execute()
          .catch((error: unknown) => log.warn({ err: error }, 'could not hand the channel lease back'));
      }
    },
    async send(target, message) {
      if (!active)
        throw new SendError(`${inner.name} runs on another instance (${holder ?? '?'})`, 'transient', 5_000);
      return inner.send(target, message);
    },
    health(): ChannelHealth {
      if (active) return inner.health();
      return {
        state: 'degraded',
        detail: `standby: ${inner.name} runs on instance ${holder ?? '(none yet)'}`,
      };
    },
    sendsHere: () => active,
  };
  return new Proxy(inner as A & { sendsHere(): boolean }, {
    get(target, property, receiver) {
      if (typeof property === 'string' && property in overrides)
        return overrides[property as keyof ChannelAdapter];
      return Reflect.get(target, property, receiver);
    },
  });
}
