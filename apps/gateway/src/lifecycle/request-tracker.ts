import { Injectable } from '@nestjs/common';

/**
 * Knows the in-flight model requests (JSON and streams) so SIGTERM can drain them: readiness
 * turns false, new work is refused, running work finishes, and what is still running when the
 * drain timeout passes is aborted (its upstream call cancelled, its stream ended with an error).
 */
@Injectable()
export class RequestTracker {
  private readonly active = new Set<AbortController>();
  private idleWaiters: Array<() => void> = [];
  draining = false;

  get inFlight(): number {
    return this.active.size;
  }

  /** Registers a request; call the returned function when it has fully finished. */
  track(controller: AbortController): () => void {
    this.active.add(controller);
    return () => {
      this.active.delete(controller);
      if (this.active.size === 0 && this.idleWaiters.length > 0) {
        const waiters = this.idleWaiters;
        this.idleWaiters = [];
        for (const wake of waiters) wake();
      }
    };
  }

  /** Resolves when no request is in flight. */
  whenIdle(): Promise<void> {
    if (this.active.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  abortAll(reason: Error): void {
    for (const controller of this.active) controller.abort(reason);
  }
}
