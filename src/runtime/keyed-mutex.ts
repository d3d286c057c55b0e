/** Runs tasks one after another per key and in parallel across keys, inside one process. */

export class KeyedMutex {
  readonly #tails = new Map<string, Promise<void>>();

  /** Waits for earlier tasks of `key`, then runs `task`; a failing task does not block later ones. */
  async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const current = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = previous.then(() => current);
    this.#tails.set(key, tail);
    await previous;
    try {
      return await task();
    } finally {
      release();
      // Forget the key once nobody queued behind us, so the map does not grow with every conversation ever seen.
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    }
  }

  get activeKeys(): number {
    return this.#tails.size;
  }
}

/** Limits how many tasks run at once (e.g. conversations holding a database connection for their lock). */
export class Semaphore {
  #available: number;
  readonly #waiting: Array<() => void> = [];

  constructor(permits: number) {
    this.#available = Math.max(1, permits);
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.#available > 0) {
      this.#available -= 1;
    } else {
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    }
    try {
      return await task();
    } finally {
      const next = this.#waiting.shift();
      if (next) next();
      else this.#available += 1;
    }
  }
}
