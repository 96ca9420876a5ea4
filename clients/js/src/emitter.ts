/**
 * A small typed event emitter: `on` / `off` / `once`, listeners get one argument. A listener
 * that throws is reported on the console and does not stop the others.
 */
export class Emitter<Events extends object> {
  private readonly listeners = new Map<keyof Events, Set<(detail: never) => void>>();

  /** Adds a listener; returns a function that removes it. */
  on<K extends keyof Events>(type: K, listener: (detail: Events[K]) => void): () => void {
    let set = this.listeners.get(type);
    if (!set) this.listeners.set(type, (set = new Set()));
    set.add(listener as (detail: never) => void);
    return () => this.off(type, listener);
  }

  /** Removes a listener added with {@link Emitter.on}. */
  off<K extends keyof Events>(type: K, listener: (detail: Events[K]) => void): void {
    this.listeners.get(type)?.delete(listener as (detail: never) => void);
  }

  /** Adds a listener called at most once. */
  once<K extends keyof Events>(type: K, listener: (detail: Events[K]) => void): () => void {
    const off = this.on(type, (detail) => {
      off();
      listener(detail);
    });
    return off;
  }

  /** Calls every listener of `type` (named `fire`: `emit` sends an event to a room). */
  protected fire<K extends keyof Events>(type: K, detail: Events[K]): void {
    const set = this.listeners.get(type);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        (listener as (d: Events[K]) => void)(detail);
      } catch (err) {
        console.error(`roomcast: '${String(type)}' listener failed`, err);
      }
    }
  }
}
