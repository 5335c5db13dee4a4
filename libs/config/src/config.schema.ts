import { z } from 'zod';

/** A provider entry's name under `providers:`. */
export const providerName = z.string().regex(/^[a-z0-9][a-z0-9_.-]*$/i, 'use letters, digits, ".", "_" or "-"');
const name = providerName;
const models = z.array(z.string().min(1)).optional();
const headers = z.record(z.string(), z.string()).optional();
const secret = z.string().min(1, 'must not be empty');
/** HTTP/2 to the provider (libs/providers/src/shared/upstream-pool.ts); default auto. */
const http2 = z.enum(['auto', 'on', 'off']).optional();
/** Removed: the pool is sized from the bulkhead, so that every admitted call can run. Named here for a clear message on old configs. */
const connections = z
  .never({ error: 'is no longer used: the connection pool is sized from resilience bulkhead.maxConcurrent (docs/resilience.md#concurrency)' })
  .optional();

/** Bounds on upstream answers: memory (sizes) and stalls (timeouts); docs/configuration.md says why each default. */
const upstreamLimitFields = {
  /** Largest whole (non-stream) answer, error bodies included. */
  maxResponseBytes: z.number().int().positive(),
  /** Largest single SSE line or event of a stream. */
  maxEventBytes: z.number().int().positive(),
  /** Streams: most time until the response headers arrive (JSON answers: the request's timeout). 0 = off. */
  streamHeadersTimeoutMs: z.number().int().min(0),
  /** Most time without progress once an answer has begun (a byte of JSON; a line, after a stream's first event). 0 = off. */
  bodyIdleTimeoutMs: z.number().int().min(0),
};
export type UpstreamLimitDefaults = { readonly [K in keyof typeof upstreamLimitFields]: number };
const upstreamLimits = z.strictObject(upstreamLimitFields).partial();

/**
 * The fields every provider entry takes beside its plugin's own (libs/providers ProviderPlugin):
 * `models` for all, and for HTTP providers the pool, headers and upstream limits.
 */
export const providerEntryFields = {
  all: { models },
  http: { models, http2, connections, headers, upstream: upstreamLimits.optional() },
};

/** What the config itself needs of a provider entry; the plugins' schemas say the rest. */
export interface ProviderEntry {
  type: string;
  models?: string[];
}

const routeTarget = z.string().regex(/^[^/]+\/.+$/, "must be 'provider/model'");
const aliasTarget = z.union([
  routeTarget,
  z.strictObject({ target: routeTarget, weight: z.number().positive().optional(), priority: z.number().int().min(0).optional() }),
]);
const aliasSpec = z.union([routeTarget, z.array(aliasTarget).min(1, 'needs at least one target')]);

const retry = z.strictObject({
  maxAttempts: z.number().int().min(1).max(10).optional(),
  initialDelayMs: z.number().int().min(0).optional(),
  maxDelayMs: z.number().int().min(0).optional(),
  maxRetryAfterMs: z.number().int().min(0).optional(),
  budget: z
    .strictObject({
      ratio: z.number().min(0).max(10).optional(),
      minPerSecond: z.number().min(0).optional(),
      windowMs: z.number().int().positive().optional(),
    })
    .optional(),
});
const breaker = z.strictObject({
  consecutiveFailures: z.number().int().min(1).optional(),
  failureRateThreshold: z.number().gt(0).max(1).optional(),
  samplingWindowMs: z.number().int().positive().optional(),
  minimumCalls: z.number().int().min(1).optional(),
  cooldownMs: z.number().int().positive().optional(),
});
const timeout = z.strictObject({ attemptMs: z.number().int().min(0).optional(), firstTokenMs: z.number().int().min(0).optional() });
const bulkhead = z.strictObject({ maxConcurrent: z.number().int().min(1).optional(), maxQueue: z.number().int().min(0).optional() });
const providerResilience = { retry: retry.optional(), breaker: breaker.optional(), timeout: timeout.optional(), bulkhead: bulkhead.optional() };

const hostPort = z.string().regex(/^[^\s:/]+:\d{1,5}$/, "must be 'host:port'");
const redisUrl = z.url({ protocol: /^rediss?$/, message: 'must be a redis:// or rediss:// URL' });

/** Which calls the cache serves and stores unless they opt in themselves (libs/cache cache-policy.ts, docs/cache.md#what-is-cached). */
const cacheable = z.enum(['deterministic', 'all']);

/**
 * The response cache (libs/cache). Default: in-process memory only. The other defaults are the
 * cache's own (libs/cache CACHE_DEFAULTS, applied by CacheMiddleware): optional here, so they are
 * stated once (docs/configuration.md lists them).
 */
const cacheSchema = z
  .strictObject({
    /** none: off; memory: in-process LRU only; redis / redis-cluster: the LRU in front of Redis. */
    type: z.enum(['none', 'memory', 'redis', 'redis-cluster']).default('memory'),
    /** deterministic: chat at temperature 0 or with a seed (one choice), and embeddings; all: every call, sampled answers included. */
    cacheable: cacheable.optional(),
    /** By the model name callers send (an alias, or `provider/model`): its own `cacheable`. */
    models: z.record(z.string().min(1), z.strictObject({ cacheable })).optional(),
    /** How long answers are kept, in seconds. */
    ttlSeconds: z.number().int().positive().optional(),
    /** Upper bound for a request's own `x-llm-hub-cache-ttl`, in seconds. */
    maxTtlSeconds: z.number().int().positive().optional(),
    /** The in-process tier (L1). maxEntries 0 turns it off (Redis only). */
    memory: z
      .strictObject({
        maxEntries: z.number().int().min(0).optional(),
        maxBytes: z.number().int().positive().optional(),
      })
      .optional(),
    /** Largest answer stored (estimated size); a stream stops being assembled past it. */
    maxEntryBytes: z.number().int().positive().optional(),
    /** The shared tier (L2): `url` for type redis, `nodes` for type redis-cluster. */
    redis: z
      .strictObject({
        url: redisUrl.optional(),
        nodes: z.array(hostPort).min(1).optional(),
        username: z.string().min(1).optional(),
        password: secret.optional(),
        tls: z.boolean().optional(),
        /** Prefix of every key the gateway writes. */
        keyPrefix: z.string().max(64).optional(),
        /** A Redis command slower than this counts as failed (the request goes on without the cache). */
        commandTimeoutMs: z.number().int().positive().max(10_000).optional(),
        connectTimeoutMs: z.number().int().positive().max(60_000).optional(),
      })
      .optional(),
    /** Identical concurrent requests share one upstream call (in-process, and across replicas through a Redis lock). */
    coalescing: z
      .strictObject({
        enabled: z.boolean().optional(),
        /** How long a replica's claim on a request lasts in Redis (a crashed leader frees it after this). */
        lockTtlMs: z.number().int().positive().optional(),
        /** How long a follower on another replica waits for the leader's answer before going upstream itself. */
        waitMs: z.number().int().min(0).optional(),
      })
      .optional(),
  })
  .prefault({})
  .superRefine((cache, ctx) => {
    if (cache.type === 'redis' && !cache.redis?.url) ctx.addIssue({ code: 'custom', path: ['redis', 'url'], message: "is required when type is 'redis'" });
    if (cache.type === 'redis-cluster' && !cache.redis?.nodes)
      ctx.addIssue({ code: 'custom', path: ['redis', 'nodes'], message: "is required when type is 'redis-cluster'" });
    if (cache.type === 'memory' && cache.memory?.maxEntries === 0)
      ctx.addIssue({ code: 'custom', path: ['memory', 'maxEntries'], message: "must be at least 1 when type is 'memory' (use type 'none' to turn the cache off)" });
  });

/**
 * What the gateway keeps of the Responses API's stored responses (`store: true`), so that a later
 * request can continue with `previous_response_id` or `item_reference`: on the cache's store (in
 * process, or its Redis for every replica), none with the cache off. docs/configuration.md says why each default.
 */
const responsesSchema = z
  .strictObject({
    store: z
      .strictObject({
        /** How long a stored response can be continued from. */
        ttlSeconds: z.number().int().positive().max(30 * 24 * 3600).default(3600),
        /** The in-process store's bound (cache type memory); least recently used responses go first. */
        maxBytes: z.number().int().positive().default(32 * 1024 * 1024),
        /** Largest stored response (its whole conversation, as JSON); a larger one is answered with `store: false`. */
        maxEntryBytes: z.number().int().positive().default(4 * 1024 * 1024),
        /** Bound on each Redis call of the store. */
        timeoutMs: z.number().int().positive().max(10_000).default(1000),
      })
      .prefault({}),
  })
  .prefault({});

const price = z.number().min(0).max(100_000);

/** Metrics, request logs and cost accounting (libs/observability, docs/observability.md). */
const observabilitySchema = z
  .strictObject({
    /**
     * Prometheus metrics at GET /metrics on a listener of their own (never on the API port: they
     * show traffic, spend, model names and versions), at server.host.
     */
    metrics: z
      .strictObject({
        enabled: z.boolean().default(true),
        /** 9464: the port OpenTelemetry's Prometheus exporter uses, free of the API's. 0 = any free port. */
        port: z.number().int().min(0).max(65535).default(9464),
        /** When set, GET /metrics needs `Authorization: Bearer <token>`. */
        token: secret.optional(),
        /** Open connections to the metrics listener; more are refused. Scrapers are few and keep theirs alive. */
        maxConnections: z.number().int().min(1).max(1024).default(16),
        /** A scrape request's headers must arrive, and its answer be sent, within this. */
        requestTimeoutMs: z.number().int().positive().max(300_000).default(10_000),
      })
      .prefault({}),
    /** One JSON line per API request. `content: true` adds the prompt and the answer (off: they may hold personal data). */
    requestLog: z.strictObject({ enabled: z.boolean().default(true), content: z.boolean().default(false) }).prefault({}),
    /**
     * USD per million tokens, by `model` or `provider/model` (the latter wins), over the built-in
     * table of list prices (libs/observability/src/pricing.ts).
     */
    pricing: z
      .record(z.string().min(1), z.strictObject({ input: price, output: price, cachedInput: price.optional() }))
      .default({}),
  })
  .prefault({});

/** What the config schema takes from the libs it may not import (libs/assembly passes them). */
export interface ConfigSchemaParts<Entry extends ProviderEntry> {
  /** One provider entry: the union of the provider plugins' schemas. */
  providerEntry: z.ZodType<Entry, unknown>;
  /** The defaults of the `upstream` section: libs/core UPSTREAM_DEFAULTS, stated there once. */
  upstreamDefaults: UpstreamLimitDefaults;
}

/** The gateway's config schema, given the parts other libs own. */
export function defineConfigSchema<Entry extends ProviderEntry>({ providerEntry, upstreamDefaults }: ConfigSchemaParts<Entry>) {
  return z.strictObject({
    server: z
      .strictObject({
        host: z.string().min(1).default('127.0.0.1'),
        port: z.number().int().min(0).max(65535).default(3000),
        /** Largest accepted request body. Images sent inline as base64 need room. */
        bodyLimitBytes: z.number().int().positive().default(10 * 1024 * 1024),
        /** A client must send its request headers within this time (a connection that sends nothing is closed after it too). */
        headersTimeoutMs: z.number().int().positive().max(600_000).default(15_000),
        /** A client must send its whole request, headers and body, within this time; else 408 `request_timeout`. */
        requestTimeoutMs: z.number().int().positive().max(3_600_000).default(30_000),
        /** Open client connections this process accepts; further connections are closed at once (see docs/configuration.md). */
        maxConnections: z.number().int().positive().max(1_000_000).default(10_000),
        /** On SIGTERM, how long in-flight requests and streams may take to finish. */
        drainTimeoutMs: z.number().int().min(0).default(30_000),
        /**
         * Connections the kernel holds for the gateway before it accepts them (listen backlog; Linux
         * caps it at net.core.somaxconn). Node's 511 overflows when thousands of clients connect at
         * once, and the kernel then drops or resets their connections.
         */
        listenBacklog: z.number().int().positive().max(65_535).default(4096),
        /** Log level for the gateway's own messages. */
        logLevel: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
      })
      .prefault({})
      .superRefine((server, ctx) => {
        if (server.headersTimeoutMs > server.requestTimeoutMs)
          ctx.addIssue({ code: 'custom', path: ['headersTimeoutMs'], message: 'must not be more than requestTimeoutMs (the whole request includes its headers)' });
      }),
    auth: z
      .strictObject({
        /** When non-empty, /v1/* and /api/* require `Authorization: Bearer <one of these>`. */
        apiKeys: z.array(secret).default([]),
      })
      .prefault({}),
    routing: z
      .strictObject({
        /**
         * Alias -> `provider/model`, or ordered targets for fallback and load balancing:
         * `[a/x, b/y]` or `[{ target: a/x, weight: 3, priority: 0 }, ...]`.
         */
        aliases: z.record(z.string().min(1), aliasSpec).default({}),
        /** Provider for bare model names that no provider lists. */
        defaultProvider: name.optional(),
      })
      .prefault({}),
    timeouts: z
      .strictObject({
        /** Default: 300000, or maxMs when that is lower. */
        defaultMs: z.number().int().positive().optional(),
        maxMs: z.number().int().positive().default(600_000),
      })
      .prefault({})
      .transform((t) => ({ defaultMs: t.defaultMs ?? Math.min(300_000, t.maxMs), maxMs: t.maxMs })),
    providers: z.record(name, providerEntry).prefault({}),
    /** Retry, circuit breaker, timeouts and bulkhead; defaults are on (libs/resilience RESILIENCE_DEFAULTS). */
    resilience: z
      .strictObject({
        enabled: z.boolean().default(true),
        defaults: z.strictObject(providerResilience).optional(),
        providers: z
          .record(
            name,
            z.strictObject({
              ...providerResilience,
              models: z.record(z.string().min(1), z.strictObject({ breaker: breaker.optional() })).optional(),
            }),
          )
          .optional(),
      })
      .prefault({}),
    /** Limits on upstream answers for every provider; `providers.<name>.upstream` overrides them. */
    upstream: z
      .strictObject({
        maxResponseBytes: upstreamLimitFields.maxResponseBytes.default(upstreamDefaults.maxResponseBytes),
        maxEventBytes: upstreamLimitFields.maxEventBytes.default(upstreamDefaults.maxEventBytes),
        streamHeadersTimeoutMs: upstreamLimitFields.streamHeadersTimeoutMs.default(upstreamDefaults.streamHeadersTimeoutMs),
        bodyIdleTimeoutMs: upstreamLimitFields.bodyIdleTimeoutMs.default(upstreamDefaults.bodyIdleTimeoutMs),
      })
      .prefault({}),
    cache: cacheSchema,
    responses: responsesSchema,
    observability: observabilitySchema,
  });
}

export type ConfigSchema<Entry extends ProviderEntry = ProviderEntry> = ReturnType<typeof defineConfigSchema<Entry>>;
export type GatewayConfig<Entry extends ProviderEntry = ProviderEntry> = z.output<ConfigSchema<Entry>>;
export type CacheConfig = GatewayConfig['cache'];
export type ResponsesConfig = GatewayConfig['responses'];
export type UpstreamConfig = GatewayConfig['upstream'];
