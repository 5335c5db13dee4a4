import type { IncomingHttpHeaders, ServerResponse } from 'node:http';

export interface LastRequest {
  method: string;
  /** Path and query string as received. */
  path: string;
  headers: IncomingHttpHeaders;
  /** The parsed JSON body, or the raw text when it was not JSON. */
  body: unknown;
}

export interface StatsSnapshot {
  requests: number;
  byRoute: Record<string, number>;
  /** Responses whose client closed the connection before the response finished. */
  aborted: number;
  inFlight: number;
  completed: number;
  lastRequest: LastRequest | null;
}

/**
 * Counters for every non-admin request. `aborted` is the number the gateway's tests look at to
 * prove that a client disconnect propagates upstream, so it counts only closes the client
 * caused: sockets this server destroys on purpose (`reset`, `cut-after`) are not aborts.
 */
export class FakeStats {
  requests = 0;
  aborted = 0;
  inFlight = 0;
  completed = 0;
  lastRequest: LastRequest | null = null;
  private byRoute = new Map<string, number>();
  // Bumped by reset(): a response that started before a reset and ends after it (a `hang`
  // aborted by the next test's cleanup, say) must not leak into the fresh counters.
  private epoch = 0;

  /** Counts a request and watches its response to classify how it ends. */
  track(route: string, res: ServerResponse, destroyedByServer: () => boolean): void {
    this.requests++;
    this.byRoute.set(route, (this.byRoute.get(route) ?? 0) + 1);
    this.inFlight++;
    const epoch = this.epoch;
    res.once('close', () => {
      // inFlight is a gauge of live responses, so it is decremented across resets too.
      this.inFlight--;
      if (epoch !== this.epoch) return;
      if (res.writableFinished) this.completed++;
      else if (!destroyedByServer()) this.aborted++;
    });
  }

  recordRequest(request: LastRequest): void {
    this.lastRequest = request;
  }

  /** Zeroes every counter except the live inFlight gauge. */
  reset(): void {
    this.epoch++;
    this.requests = 0;
    this.aborted = 0;
    this.completed = 0;
    this.lastRequest = null;
    this.byRoute.clear();
  }

  snapshot(): StatsSnapshot {
    return {
      requests: this.requests,
      byRoute: Object.fromEntries(this.byRoute),
      aborted: this.aborted,
      inFlight: this.inFlight,
      completed: this.completed,
      lastRequest: this.lastRequest,
    };
  }
}
