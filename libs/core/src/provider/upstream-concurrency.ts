/**
 * The most calls one process has in flight to one provider, unless configured otherwise
 * (`resilience.*.bulkhead.maxConcurrent` in the gateway). It is the one limit both sides of a
 * provider call are derived from: the bulkhead admits this many calls, and the provider's
 * connection pool is sized to carry that many at once, so nothing admitted waits inside the pool.
 * Why this figure (memory per call in flight, file descriptors): docs/resilience.md#concurrency.
 */
export const DEFAULT_UPSTREAM_CONCURRENCY = 4096;
