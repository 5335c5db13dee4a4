import { Injectable } from '@nestjs/common';

/** What the tracker needs of a response: to know when it is over (node:http's ServerResponse). */
export interface ClosingResponse {
  readonly closed: boolean;
  once(event: 'close', listener: () => void): unknown;
}

/**
 * Knows the in-flight model requests (JSON and streams) so SIGTERM can drain them: readiness
 * turns false, new work is refused, running work finishes, and what is still running when the
 * drain timeout passes is aborted (its upstream call cancelled, its stream ended with an error).
 *
 * A request counts until its response has closed, not until its handler returns: an aborted
 * request's 503 is written after the handler has failed, and the process must not close the
 * connections before that answer is out.
 */
@Injectable()
export class RequestTracker {
  private readonly active = new Set<AbortController>();
  private idleWaiters: Array<() => void> = [];
  draining = false;

  get inFlight(): number {
    return this.active.size;
  }

  /** Counts a request until its response closes. */
  track(controller: AbortController, response: ClosingResponse): void {
    this.active.add(controller);
    const release = () => this.release(controller);
    if (response.closed) release();
    else response.once('close', release);
  }

  /** Resolves when no request is in flight. */
  whenIdle(): Promise<void> {
    if (this.active.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  abortAll(reason: Error): void {
    for (const controller of this.active) controller.abort(reason);
  }

  private release(controller: AbortController): void {
    if (!this.active.delete(controller)) return;
    if (this.active.size === 0 && this.idleWaiters.length > 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const wake of waiters) wake();
    }
  }
}
