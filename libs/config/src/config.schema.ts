import { z } from 'zod';

const name = z.string().regex(/^[a-z0-9][a-z0-9_.-]*$/i, 'use letters, digits, ".", "_" or "-"');
const url = z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' });
const models = z.array(z.string().min(1)).optional();
const connections = z.number().int().positive().max(4096).optional();
const headers = z.record(z.string(), z.string()).optional();
const secret = z.string().min(1, 'must not be empty');

const common = { models, connections, headers };

export const providerSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('mock'),
    models,
    latencyMs: z.number().int().min(0).optional(),
    chunkCount: z.number().int().min(1).max(10_000).optional(),
    chunkDelayMs: z.number().int().min(0).optional(),
    failEvery: z.number().int().min(0).optional(),
    failStatus: z.number().int().min(400).max(599).optional(),
    failMidStream: z.boolean().optional(),
  }),
  z.strictObject({ type: z.literal('openai'), apiKey: secret, baseUrl: url.optional(), organization: z.string().optional(), project: z.string().optional(), ...common }),
  z.strictObject({ type: z.literal('openai-compatible'), baseUrl: url, apiKey: secret.optional(), embeddings: z.boolean().optional(), ...common }),
  z.strictObject({
    type: z.literal('azure-openai'),
    apiKey: secret,
    endpoint: url,
    apiVersion: z.string().min(1).optional(),
    deployments: z.record(z.string(), z.string().min(1)).optional(),
    ...common,
  }),
  z.strictObject({ type: z.literal('anthropic'), apiKey: secret, baseUrl: url.optional(), version: z.string().optional(), ...common }),
  z.strictObject({ type: z.literal('google'), apiKey: secret, baseUrl: url.optional(), ...common }),
]);

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

export const configSchema = z.strictObject({
  server: z
    .strictObject({
      host: z.string().min(1).default('127.0.0.1'),
      port: z.number().int().min(0).max(65535).default(3000),
      /** Largest accepted request body. Images sent inline as base64 need room. */
      bodyLimitBytes: z.number().int().positive().default(10 * 1024 * 1024),
      /** On SIGTERM, how long in-flight requests and streams may take to finish. */
      drainTimeoutMs: z.number().int().min(0).default(30_000),
      /** Log level for the gateway's own messages. */
      logLevel: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
    })
    .prefault({}),
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
  providers: z.record(name, providerSchema).default({}),
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
});

export type GatewayConfig = z.infer<typeof configSchema>;
export type ProviderConfig = z.infer<typeof providerSchema>;
export type ProviderType = ProviderConfig['type'];
