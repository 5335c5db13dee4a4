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
      /** Alias -> `provider/model`. */
      aliases: z.record(z.string().min(1), z.string().regex(/^[^/]+\/.+$/, "must be 'provider/model'")).default({}),
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
});

export type GatewayConfig = z.infer<typeof configSchema>;
export type ProviderConfig = z.infer<typeof providerSchema>;
export type ProviderType = ProviderConfig['type'];
