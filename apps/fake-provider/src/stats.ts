import type { IncomingHttpHeaders } from 'node:http';
import type { Exchange, FakeProtocol } from './exchange';

export interface LastRequest {
  method: string;
  /** Path and query string as received. */
  path: string;
  headers: IncomingHttpHeaders;
  /** The parsed JSON body, or the raw text when it was not JSON. */
  body: unknown;
  /** The body exactly as received (so a spec can compare bytes, not only JSON). */
  text?: string;
}

export interface StatsSnapshot {
  requests: number;
  byRoute: Record<string, number>;
  /** Requests by the protocol they came over: `http/1.1` or `h2`. */
  byProtocol: Partial<Record<FakeProtocol, number>>;
  /** Responses whose client closed the connection before the response finished. */
  aborted: number;
  inFlight: number;
  /** The most responses open at once since the last reset. */
  maxInFlight: number;
  completed: number;
  lastRequest: LastRequest | null;
}

/**
 * Counters for every non-admin request. `aborted` is the number the gateway's tests look at to
 * prove that a client disconnect propagates upstream, so it counts only closes the client
 * caused: sockets this server destroys on purpose (`reset`, `cut-after`) are not aborts.
 * `maxInFlight` is how the tests see that calls the gateway admitted really ran at once.
 */
export class FakeStats {
  requests = 0;
  aborted = 0;
  inFlight = 0;
  maxInFlight = 0;
  completed = 0;
  lastRequest: LastRequest | null = null;
  private byRoute = new Map<string, number>();
  private byProtocol = new Map<FakeProtocol, number>();
  // Bumped by reset(): a response that started before a reset and ends after it (a `hang`
  // aborted by the next test's cleanup, say) must not leak into the fresh counters.
  private epoch = 0;

  /** Counts a request and watches its response to classify how it ends. */
  track(route: string, ex: Exchange): void {
    this.requests++;
    this.byRoute.set(route, (this.byRoute.get(route) ?? 0) + 1);
    this.byProtocol.set(ex.protocol, (this.byProtocol.get(ex.protocol) ?? 0) + 1);
    this.inFlight++;
    if (this.inFlight > this.maxInFlight) this.maxInFlight = this.inFlight;
    const epoch = this.epoch;
    ex.res.once('close', () => {
      // inFlight is a gauge of live responses, so it is decremented across resets too.
      this.inFlight--;
      if (epoch !== this.epoch) return;
      if (ex.finished()) this.completed++;
      else if (!ex.destroyedByServer) this.aborted++;
    });
  }

  recordRequest(request: LastRequest): void {
    this.lastRequest = request;
  }

  /** Zeroes every counter except the live inFlight gauge (maxInFlight starts again from it). */
  reset(): void {
    this.epoch++;
    this.requests = 0;
    this.aborted = 0;
    this.completed = 0;
    this.maxInFlight = this.inFlight;
    this.lastRequest = null;
    this.byRoute.clear();
    this.byProtocol.clear();
  }

  snapshot(): StatsSnapshot {
    return {
      requests: this.requests,
      byRoute: Object.fromEntries(this.byRoute),
      byProtocol: Object.fromEntries(this.byProtocol),
      aborted: this.aborted,
      inFlight: this.inFlight,
      maxInFlight: this.maxInFlight,
      completed: this.completed,
      lastRequest: this.lastRequest,
    };
  }
}
