import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import type { GatewayConfig, ProviderEntry } from './config.schema';

type Env = Record<string, string | undefined>;

/**
 * What the provider plugins add to loading (libs/assembly composes it from the registry): the full
 * schema, and the provider entries the environment implies.
 */
export interface ConfigComposition<Entry extends ProviderEntry = ProviderEntry> {
  schema: z.ZodType<GatewayConfig<Entry>, unknown>;
  providersFromEnv(env: Env): Record<string, Entry>;
}

/** A config that cannot be used; the message names every bad field. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/**
 * Loads the gateway config once at boot: embedded defaults, then the providers implied by the
 * environment, then the YAML file named by LLM_HUB_CONFIG (its entries override the env's,
 * field by field), then the env overrides (PORT, HOST, LLM_HUB_API_KEYS, LLM_HUB_LOG_LEVEL, the
 * cache's LLM_HUB_CACHE_TYPE, LLM_HUB_REDIS_URL, LLM_HUB_REDIS_NODES, LLM_HUB_REDIS_PASSWORD, and
 * the metrics listener's LLM_HUB_METRICS_PORT, LLM_HUB_METRICS_TOKEN).
 * `${VAR}` in the file's strings is replaced from the environment, so keys can stay in Secrets.
 */
export function loadConfig<Entry extends ProviderEntry>(env: Env, composition: ConfigComposition<Entry>): GatewayConfig<Entry> {
  const file = env.LLM_HUB_CONFIG ? readConfigFile(env.LLM_HUB_CONFIG, env) : {};
  const raw: Record<string, unknown> = { ...file };
  // A section that is not a mapping (`providers:` written as a list) is left as it is, so the
  // validation below reports it instead of the merge silently dropping it.
  const fileProviders = file.providers ?? {};
  if (isRecord(fileProviders)) {
    const providers: Record<string, unknown> = { ...composition.providersFromEnv(env) };
    for (const [name, entry] of Object.entries(fileProviders)) {
      const base = providers[name];
      providers[name] = isRecord(base) && isRecord(entry) && (entry.type === undefined || entry.type === base.type) ? { ...base, ...entry } : entry;
    }
    raw.providers = providers;
  }
  const fileServer = file.server ?? {};
  if (isRecord(fileServer)) {
    const server = { ...fileServer };
    if (env.PORT !== undefined && env.PORT !== '') server.port = numberFromEnv('PORT', env.PORT);
    if (env.HOST) server.host = env.HOST;
    if (env.LLM_HUB_LOG_LEVEL) server.logLevel = env.LLM_HUB_LOG_LEVEL;
    raw.server = server;
  }
  const fileAuth = file.auth ?? {};
  if (env.LLM_HUB_API_KEYS !== undefined && isRecord(fileAuth) && (fileAuth.apiKeys == null || Array.isArray(fileAuth.apiKeys))) {
    const keys = env.LLM_HUB_API_KEYS.split(',').map((k) => k.trim()).filter(Boolean);
    raw.auth = { ...fileAuth, apiKeys: [...((fileAuth.apiKeys as unknown[] | null | undefined) ?? []), ...keys] };
  }
  const fileCache = file.cache ?? {};
  if (isRecord(fileCache)) raw.cache = cacheFromEnv(fileCache, env);
  const fileObservability = file.observability ?? {};
  const fileMetrics = isRecord(fileObservability) ? (fileObservability.metrics ?? {}) : undefined;
  if (isRecord(fileMetrics)) raw.observability = { ...fileObservability, metrics: metricsFromEnv(fileMetrics, env) };
  return validateConfig(raw, composition.schema, env.LLM_HUB_CONFIG);
}

/**
 * LLM_HUB_CACHE_TYPE, LLM_HUB_REDIS_URL, LLM_HUB_REDIS_NODES (comma-separated host:port) and
 * LLM_HUB_REDIS_PASSWORD override the file's cache section: what a Helm chart sets per release.
 */
function cacheFromEnv(fileCache: Record<string, unknown>, env: Env): Record<string, unknown> {
  const cache = { ...fileCache };
  if (env.LLM_HUB_CACHE_TYPE) cache.type = env.LLM_HUB_CACHE_TYPE;
  const redisEnv: Record<string, unknown> = {};
  if (env.LLM_HUB_REDIS_URL) redisEnv.url = env.LLM_HUB_REDIS_URL;
  if (env.LLM_HUB_REDIS_NODES) redisEnv.nodes = env.LLM_HUB_REDIS_NODES.split(',').map((n) => n.trim()).filter(Boolean);
  if (env.LLM_HUB_REDIS_PASSWORD) redisEnv.password = env.LLM_HUB_REDIS_PASSWORD;
  if (Object.keys(redisEnv).length > 0) cache.redis = { ...(isRecord(cache.redis) ? cache.redis : {}), ...redisEnv };
  return cache;
}

/**
 * LLM_HUB_METRICS_PORT and LLM_HUB_METRICS_TOKEN override the file's observability.metrics.port
 * and .token: what a Helm chart sets per release (the port its container declares, the token from a Secret).
 */
function metricsFromEnv(fileMetrics: Record<string, unknown>, env: Env): Record<string, unknown> {
  const metrics = { ...fileMetrics };
  if (env.LLM_HUB_METRICS_PORT !== undefined && env.LLM_HUB_METRICS_PORT !== '') metrics.port = numberFromEnv('LLM_HUB_METRICS_PORT', env.LLM_HUB_METRICS_PORT);
  if (env.LLM_HUB_METRICS_TOKEN) metrics.token = env.LLM_HUB_METRICS_TOKEN;
  return metrics;
}

export function validateConfig<Entry extends ProviderEntry>(
  raw: unknown,
  schema: z.ZodType<GatewayConfig<Entry>, unknown>,
  source = 'config',
): GatewayConfig<Entry> {
  const result = schema.safeParse(raw);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => `  - ${formatPath(issue.path)}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration (${source}):\n${lines.join('\n')}`);
  }
  const config = result.data;
  const providerNames = new Set(Object.keys(config.providers));
  const problems: string[] = [];
  for (const [alias, spec] of Object.entries(config.routing.aliases)) {
    const targets = Array.isArray(spec) ? spec : [spec];
    for (const entry of targets) {
      const target = typeof entry === 'string' ? entry : entry.target;
      const provider = target.slice(0, target.indexOf('/'));
      if (!providerNames.has(provider)) problems.push(`  - routing.aliases.${alias}: provider '${provider}' is not configured`);
    }
  }
  for (const provider of Object.keys(config.resilience.providers ?? {})) {
    if (!providerNames.has(provider)) problems.push(`  - resilience.providers.${provider}: provider '${provider}' is not configured`);
  }
  const fallback = config.routing.defaultProvider;
  if (fallback && !providerNames.has(fallback)) problems.push(`  - routing.defaultProvider: provider '${fallback}' is not configured`);
  if (config.timeouts.defaultMs > config.timeouts.maxMs) problems.push('  - timeouts.defaultMs: must not exceed timeouts.maxMs');
  const metrics = config.observability.metrics;
  if (metrics.enabled && metrics.port !== 0 && metrics.port === config.server.port)
    problems.push(`  - observability.metrics.port: must differ from server.port (${config.server.port}): metrics are never served on the API port`);
  if (problems.length > 0) throw new ConfigError(`Invalid configuration (${source}):\n${problems.join('\n')}`);
  return config;
}

function readConfigFile(path: string, env: Env): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`Cannot read LLM_HUB_CONFIG file '${path}': ${(error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (error) {
    throw new ConfigError(`LLM_HUB_CONFIG file '${path}' is not valid YAML: ${(error as Error).message}`);
  }
  if (parsed === null || parsed === undefined) return {};
  if (!isRecord(parsed)) throw new ConfigError(`LLM_HUB_CONFIG file '${path}' must hold a mapping at the top level`);
  return interpolate(parsed, env) as Record<string, unknown>;
}

const VARIABLE = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

function interpolate(value: unknown, env: Env): unknown {
  if (typeof value === 'string') {
    return value.replace(VARIABLE, (_, name: string) => {
      const v = env[name];
      if (v === undefined) throw new ConfigError(`LLM_HUB_CONFIG refers to \${${name}}, which is not set in the environment`);
      return v;
    });
  }
  if (Array.isArray(value)) return value.map((item) => interpolate(item, env));
  if (isRecord(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v, env)]));
  return value;
}

function numberFromEnv(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n)) throw new ConfigError(`Invalid configuration (environment):\n  - ${name}: must be an integer, got '${value}'`);
  return n;
}

function formatPath(path: ReadonlyArray<PropertyKey>): string {
  return path.length === 0 ? '(root)' : path.map(String).join('.');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
