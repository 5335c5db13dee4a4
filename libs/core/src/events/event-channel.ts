/**
 * A minimal synchronous event channel: what a library layer does, as typed events, so
 * observability (metrics, logs) can export them without the layer knowing about Prometheus.
 * Listeners are called synchronously; keep them cheap. Not Node's EventEmitter: no string event
 * names to mistype, no 'error' event that throws when nobody listens.
 */
export class EventChannel<E> {
  private listeners: Array<(event: E) => void> = [];

  on(listener: (event: E) => void): () => void {
    this.listeners = [...this.listeners, listener];
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }

  /** False when nobody listens: emitters of per-request events skip building the event. */
  get active(): boolean {
    return this.listeners.length > 0;
  }

  emit(event: E): void {
    for (const listener of this.listeners) listener(event);
  }
}
