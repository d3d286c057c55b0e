/**
 * The in-process wake-up call between whoever enqueues and the outbox workers of this process, so a reply
 * leaves at once instead of at the next poll. Other instances find the rows by polling.
 */

type Waker = () => void;

const wakers = new Set<Waker>();

/** Called after rows were enqueued (or made due again). Cheap and safe to call often. */
export function signalOutboxEnqueued(): void {
  for (const wake of [...wakers]) wake();
}

/** Registers a worker's wake function; returns the unregister function. */
export function onOutboxEnqueued(wake: Waker): () => void {
  wakers.add(wake);
  return () => {
    wakers.delete(wake);
  };
}
