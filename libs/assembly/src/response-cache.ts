import type { CacheConfig } from '@llm-connector-hub/config';
import { CacheMiddleware, type CacheEvents } from '@llm-connector-hub/cache';

/** The response cache from the config's `cache:` section (unset fields take the cache's own defaults); null when `type: none`. */
export function createResponseCache(config: CacheConfig, events: CacheEvents): CacheMiddleware | null {
  if (config.type === 'none') return null;
  return new CacheMiddleware(
    {
      type: config.type,
      cacheable: config.cacheable,
      models: config.models,
      ttl: config.ttlSeconds,
      maxTtl: config.maxTtlSeconds,
      maxSize: config.memory?.maxEntries,
      maxBytes: config.memory?.maxBytes,
      maxEntryBytes: config.maxEntryBytes,
      redis: config.redis && {
        url: config.redis.url,
        nodes: config.redis.nodes,
        username: config.redis.username,
        password: config.redis.password,
        tls: config.redis.tls,
        commandTimeoutMs: config.redis.commandTimeoutMs,
        connectTimeoutMs: config.redis.connectTimeoutMs,
      },
      keyPrefix: config.redis?.keyPrefix,
      coalescing: config.coalescing,
    },
    events,
  );
}
