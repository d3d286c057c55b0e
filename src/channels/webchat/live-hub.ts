/**
 * Wakes open SSE streams of a session in this process when something was stored for it. Streams also poll
 * the store, so events written by another instance arrive too, just a little later.
 */

export type LiveSignal = 'message' | 'typing';
type Listener = (signal: LiveSignal) => void;

export class WebchatLiveHub {
  private readonly listeners = new Map<string, Set<Listener>>();

  subscribe(sessionId: string, listener: Listener): () => void {
    let set = this.listeners.get(sessionId);
    if (!set) {
      set = new Set();
      this.listeners.set(sessionId, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(sessionId);
    };
  }

  publish(sessionId: string, signal: LiveSignal): void {
    for (const listener of [...(this.listeners.get(sessionId) ?? [])]) listener(signal);
  }

  /** Open streams, for health and tests. */
  get openStreams(): number {
    let count = 0;
    for (const set of this.listeners.values()) count += set.size;
    return count;
  }
}
