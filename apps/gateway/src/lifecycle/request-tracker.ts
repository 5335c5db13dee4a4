import { Injectable } from '@nestjs/common';

/** What the tracker needs of a response: to know when it is over, and whether it was all written (node:http's ServerResponse). */
export interface ClosingResponse {
  readonly closed: boolean;
  readonly writableFinished: boolean;
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

  /**
   * Counts a request until its response closes, and returns the signal of its call: aborted when
   * the response closes before it was all written (the client went away), or by abortAll.
   */
  track(response: ClosingResponse): AbortSignal {
    const controller = new AbortController();
    this.active.add(controller);
    const closed = () => {
      if (!response.writableFinished) controller.abort(new DOMException('client closed the connection', 'AbortError'));
      this.release(controller);
    };
    if (response.closed) closed();
    else response.once('close', closed);
    return controller.signal;
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
