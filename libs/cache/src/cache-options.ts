import type { Cacheable, CachePolicyOptions } from './cache-policy';

/** How CacheMiddleware is set up; the gateway maps its `cache:` config section onto this. */
export interface CacheMiddlewareOptions extends CachePolicyOptions {
  type: 'memory' | 'redis' | 'redis-cluster';
  /** Default time to keep an answer, in seconds. Every default: CACHE_DEFAULTS below. */
  ttl?: number;
  /** Cap for a request's own TTL (`x-llm-hub-cache-ttl`), in seconds. */
  maxTtl?: number;
  /** The in-process tier: most entries it keeps (0 = none, Redis types only)... */
  maxSize?: number;
  /** ...and most bytes, by the answers' estimated sizes. */
  maxBytes?: number;
  /**
   * Largest answer stored, by its estimated size: larger answers are served but not stored, and a
   * stream stops being assembled once it passes this.
   */
  maxEntryBytes?: number;
  /** The shared tier: `url` for type redis, `nodes` (`host:port`) for type redis-cluster. */
  redis?: {
    url?: string;
    nodes?: string[];
    username?: string;
    password?: string;
    tls?: boolean;
    /** Per-command bound: a slow Redis counts as a miss, never as gateway latency. */
    commandTimeoutMs?: number;
    connectTimeoutMs?: number;
  };
  /** Prefix of every key. */
  keyPrefix?: string;
  coalescing?: {
    enabled?: boolean;
    /** Lifetime of a replica's claim on a request in Redis. */
    lockTtlMs?: number;
    /** How long a replica waits for another's answer before going upstream itself. */
    waitMs?: number;
  };
}

/**
 * Every default of the cache's options, stated here once: CacheMiddleware applies them, the
 * gateway's config schema leaves these fields optional (libs/config imports no other lib), and
 * docs/configuration.md lists them with why (a unit spec checks the two agree).
 */
export const CACHE_DEFAULTS = {
  cacheable: 'deterministic' as Cacheable,
  ttlSeconds: 3600,
  maxTtlSeconds: 86_400,
  maxEntries: 10_000,
  maxBytes: 128 * 1024 * 1024,
  maxEntryBytes: 16 * 1024 * 1024,
  keyPrefix: 'llmhub:',
  tls: false,
  commandTimeoutMs: 50,
  connectTimeoutMs: 1000,
  coalescing: true,
  lockTtlMs: 30_000,
  waitMs: 10_000,
} as const;

export interface ResolvedCacheOptions {
  cacheable: Cacheable;
  models: CachePolicyOptions['models'];
  ttlMs: number;
  maxEntryBytes: number;
  maxTtlMs: number;
  /** The in-process tier's bounds; 0 entries = no in-process tier. */
  maxEntries: number;
  maxBytes: number;
  keyPrefix: string;
  coalescing: boolean;
  lockTtlMs: number;
  waitMs: number;
  tls: boolean;
  commandTimeoutMs: number;
  connectTimeoutMs: number;
}

export function resolveCacheOptions(options: CacheMiddlewareOptions): ResolvedCacheOptions {
  const d = CACHE_DEFAULTS;
  return {
    cacheable: options.cacheable ?? d.cacheable,
    models: options.models,
    ttlMs: (options.ttl ?? d.ttlSeconds) * 1000,
    maxTtlMs: (options.maxTtl ?? d.maxTtlSeconds) * 1000,
    maxEntries: options.maxSize ?? d.maxEntries,
    maxBytes: options.maxBytes ?? d.maxBytes,
    maxEntryBytes: options.maxEntryBytes ?? d.maxEntryBytes,
    keyPrefix: options.keyPrefix ?? d.keyPrefix,
    coalescing: options.coalescing?.enabled ?? d.coalescing,
    lockTtlMs: options.coalescing?.lockTtlMs ?? d.lockTtlMs,
    waitMs: options.coalescing?.waitMs ?? d.waitMs,
    tls: options.redis?.tls ?? d.tls,
    commandTimeoutMs: options.redis?.commandTimeoutMs ?? d.commandTimeoutMs,
    connectTimeoutMs: options.redis?.connectTimeoutMs ?? d.connectTimeoutMs,
  };
}
