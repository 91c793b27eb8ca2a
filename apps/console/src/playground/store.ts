/** A tiny observable state container: views subscribe, the session replaces the state with a new one. */
export class Store<S> {
  private readonly listeners = new Set<(s: S) => void>();
  constructor(private state: S) {}

  get(): S {
    return this.state;
  }

  /** Merges `change(state)` into a new state object and tells every listener (nothing when the change is empty). */
  update(change: (s: S) => Partial<S>): void {
    const partial = change(this.state);
    if (Object.keys(partial).length === 0) return;
    this.state = { ...this.state, ...partial };
    for (const listener of this.listeners) listener(this.state);
  }

  /** Returns the unsubscribe function. */
  subscribe(listener: (s: S) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
