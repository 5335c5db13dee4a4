/** How CacheMiddleware is set up; the gateway maps its `cache:` config section onto this. */
export interface CacheMiddlewareOptions {
  type: 'memory' | 'redis' | 'redis-cluster';
  /** Default time to keep an answer, in seconds (3600). */
  ttl?: number;
  /** Cap for a request's own TTL (`x-llm-hub-cache-ttl`), in seconds (86400). */
  maxTtl?: number;
  /** The in-process tier: most entries it keeps (10000; 0 = none, Redis types only)... */
  maxSize?: number;
  /** ...and most bytes, by the answers' estimated sizes (128 MiB). */
  maxBytes?: number;
  /**
   * Largest answer stored, by its estimated size (CACHE_MAX_ENTRY_BYTES): larger answers are served
   * but not stored, and a stream stops being assembled once it passes this.
   */
  maxEntryBytes?: number;
  /** The shared tier: `url` for type redis, `nodes` (`host:port`) for type redis-cluster. */
  redis?: {
    url?: string;
    nodes?: string[];
    username?: string;
    password?: string;
    tls?: boolean;
    /** Per-command bound (50 ms): a slow Redis counts as a miss, never as gateway latency. */
    commandTimeoutMs?: number;
    connectTimeoutMs?: number;
  };
  /** Prefix of every key ('llmhub:'). */
  keyPrefix?: string;
  coalescing?: {
    enabled?: boolean;
    /** Lifetime of a replica's claim on a request in Redis (30000). */
    lockTtlMs?: number;
    /** How long a replica waits for another's answer before going upstream itself (10000). */
    waitMs?: number;
  };
}

/** Default of `maxEntryBytes`; docs/configuration.md says why. */
export const CACHE_MAX_ENTRY_BYTES = 16 * 1024 * 1024;

export interface ResolvedCacheOptions {
  ttlMs: number;
  maxEntryBytes: number;
  maxTtlMs: number;
  keyPrefix: string;
  coalescing: boolean;
  lockTtlMs: number;
  waitMs: number;
  commandTimeoutMs: number;
}

export function resolveCacheOptions(options: CacheMiddlewareOptions): ResolvedCacheOptions {
  return {
    ttlMs: (options.ttl ?? 3600) * 1000,
    maxTtlMs: (options.maxTtl ?? 86_400) * 1000,
    maxEntryBytes: options.maxEntryBytes ?? CACHE_MAX_ENTRY_BYTES,
    keyPrefix: options.keyPrefix ?? 'llmhub:',
    coalescing: options.coalescing?.enabled ?? true,
    lockTtlMs: options.coalescing?.lockTtlMs ?? 30_000,
    waitMs: options.coalescing?.waitMs ?? 10_000,
    commandTimeoutMs: options.redis?.commandTimeoutMs ?? 50,
  };
}
