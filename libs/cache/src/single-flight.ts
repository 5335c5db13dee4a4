/** One in-flight upstream call that identical requests may wait for. */
export interface Flight<T> {
  readonly promise: Promise<T>;
  /**
   * Settles the flight with `value` now. With `until`, the flight stays joinable (answering
   * `value` at once) until `until` settles, e.g. while the value is being stored.
   */
  resolve(value: T, until?: Promise<unknown>): void;
  reject(error: unknown): void;
}

/**
 * In-process request coalescing: the first caller for a key leads (makes the upstream call),
 * callers that arrive meanwhile join its flight. Hand-written because the leader is sometimes a
 * stream that settles only when its last chunk has gone out, which promise-memoizing libraries
 * (p-memoize and friends) cannot express.
 */
export class SingleFlight<T> {
  private readonly flights = new Map<string, Flight<T>>();

  join(key: string): Promise<T> | undefined {
    return this.flights.get(key)?.promise;
  }

  /** Starts a flight; it leaves the map when settled. */
  begin(key: string): Flight<T> {
    let resolve!: (value: T) => void;
    let reject!: (error: unknown) => void;
    const promise = new Promise<T>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    // Nobody may have joined: a rejection nobody awaits must not be reported as unhandled.
    promise.catch(() => undefined);
    const flight: Flight<T> = {
      promise,
      resolve: (value, until) => {
        if (until) {
          const end = () => this.end(key, flight);
          until.then(end, end);
        } else this.end(key, flight);
        resolve(value);
      },
      reject: (error) => {
        this.end(key, flight);
        reject(error);
      },
    };
    this.flights.set(key, flight);
    return flight;
  }

  get size(): number {
    return this.flights.size;
  }

  private end(key: string, flight: Flight<T>): void {
    if (this.flights.get(key) === flight) this.flights.delete(key);
  }
}
