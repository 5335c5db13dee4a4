/**
 * The metric contract of docs/observability.md, as code: names, help texts, label names and
 * buckets in one place, so the table, the dashboards and the alerts can be checked against it
 * (gateway-metrics.spec.ts reads the table and compares).
 */

/** End to end, upstream and time to first token: 5 ms (a cache hit) to 120 s (a long stream). */
export const LATENCY_BUCKETS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120];

/** What the gateway adds on top of the upstream: 0.1 ms to 1 s. */
export const OVERHEAD_BUCKETS: readonly number[] = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];

export const METRICS = {
  requests: {
    name: 'llm_hub_requests_total',
    help: 'API requests answered, by route, provider, model, status class and cache result.',
    labelNames: ['route', 'provider', 'model', 'status_class', 'cache'],
  },
  requestDuration: {
    name: 'llm_hub_request_duration_seconds',
    help: 'End to end: request received to last byte sent.',
    labelNames: ['route', 'provider', 'model', 'stream'],
  },
  upstreamDuration: {
    name: 'llm_hub_upstream_duration_seconds',
    help: 'One upstream attempt: sent to answer complete (streams: last chunk).',
    labelNames: ['provider', 'model'],
  },
  overhead: {
    name: 'llm_hub_gateway_overhead_seconds',
    help: 'End to end minus the time spent in upstream attempts, for requests that went upstream.',
    labelNames: ['route'],
  },
  timeToFirstToken: {
    name: 'llm_hub_time_to_first_token_seconds',
    help: 'Streams: request received to first chunk sent.',
    labelNames: ['provider', 'model'],
  },
  tokens: {
    name: 'llm_hub_tokens_total',
    help: 'Tokens billed by providers (cache hits excluded).',
    labelNames: ['provider', 'model', 'type'],
  },
  cost: {
    name: 'llm_hub_cost_usd_total',
    help: 'Cost of upstream calls in USD, from usage and the pricing table (cache hits excluded).',
    labelNames: ['provider', 'model'],
  },
  cacheSaved: {
    name: 'llm_hub_cache_saved_usd_total',
    help: 'What the answers served from the cache would have cost, in USD.',
    labelNames: ['provider', 'model'],
  },
  cacheLookups: {
    name: 'llm_hub_cache_lookups_total',
    help: 'Response cache lookups, by result and the tier that answered.',
    labelNames: ['result', 'tier'],
  },
  cacheErrors: {
    name: 'llm_hub_cache_errors_total',
    help: 'Failed Redis calls (the cache failed open).',
    labelNames: ['operation'],
  },
  redisUp: {
    name: 'llm_hub_redis_up',
    help: '1 while every Redis master answers, 0 while degraded.',
    labelNames: [],
  },
  retries: {
    name: 'llm_hub_retries_total',
    help: 'Upstream retries.',
    labelNames: ['provider', 'model'],
  },
  fallbacks: {
    name: 'llm_hub_fallbacks_total',
    help: 'Fallbacks to the next target.',
    labelNames: ['from_provider', 'to_provider'],
  },
  breakerState: {
    name: 'llm_hub_circuit_breaker_state',
    help: "1 for the circuit breaker's current state, 0 for the others.",
    labelNames: ['provider', 'model', 'state'],
  },
  rejections: {
    name: 'llm_hub_rejections_total',
    help: 'Requests refused without an upstream call.',
    labelNames: ['provider', 'reason'],
  },
  upstreamTimeouts: {
    name: 'llm_hub_upstream_timeouts_total',
    help: 'Upstream attempts cut by a timeout.',
    labelNames: ['provider', 'kind'],
  },
  bulkheadQueued: {
    name: 'llm_hub_bulkhead_queued',
    help: 'Requests waiting for a bulkhead slot.',
    labelNames: ['provider'],
  },
  bulkheadExecuting: {
    name: 'llm_hub_bulkhead_executing',
    help: 'Upstream requests holding a bulkhead slot.',
    labelNames: ['provider'],
  },
  inFlight: {
    name: 'llm_hub_in_flight_requests',
    help: 'API requests being answered.',
    labelNames: [],
  },
  openStreams: {
    name: 'llm_hub_open_streams',
    help: 'SSE responses open.',
    labelNames: [],
  },
  memoryLimit: {
    name: 'llm_hub_memory_limit_bytes',
    help: "The container's memory limit; absent when unlimited.",
    labelNames: [],
  },
  cpuLimit: {
    name: 'llm_hub_cpu_limit_cores',
    help: "The container's CPU limit in cores; absent when unlimited.",
    labelNames: [],
  },
  buildInfo: {
    name: 'llm_hub_build_info',
    help: 'Always 1; the labels say which build runs.',
    labelNames: ['version', 'node_version'],
  },
} as const;
