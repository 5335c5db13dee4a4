import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CACHE_DEFAULTS, resolveCacheOptions } from './cache-options';

/** docs/configuration.md's default column for each `cache.*` key. */
function documentedDefaults(): Map<string, string> {
  const text = readFileSync(join(__dirname, '../../../docs/configuration.md'), 'utf8');
  const rows = new Map<string, string>();
  for (const [, keys, value] of text.matchAll(/^\| (`cache\.[^|]+) \| `([^`]*)` \|/gm)) {
    for (const key of keys.match(/`cache\.[a-zA-Z.]+`/g) ?? []) rows.set(key.slice(1, -1), value);
  }
  return rows;
}

describe('cache options', () => {
  it('docs/configuration.md shows the defaults the cache applies (CACHE_DEFAULTS, stated once)', () => {
    const documented = documentedDefaults();
    const d = CACHE_DEFAULTS;
    expect({
      'cache.cacheable': documented.get('cache.cacheable'),
      'cache.ttlSeconds': documented.get('cache.ttlSeconds'),
      'cache.maxTtlSeconds': documented.get('cache.maxTtlSeconds'),
      'cache.memory.maxEntries': documented.get('cache.memory.maxEntries'),
      'cache.memory.maxBytes': documented.get('cache.memory.maxBytes'),
      'cache.maxEntryBytes': documented.get('cache.maxEntryBytes'),
      'cache.redis.tls': documented.get('cache.redis.tls'),
      'cache.redis.keyPrefix': documented.get('cache.redis.keyPrefix'),
      'cache.redis.commandTimeoutMs': documented.get('cache.redis.commandTimeoutMs'),
      'cache.redis.connectTimeoutMs': documented.get('cache.redis.connectTimeoutMs'),
      'cache.coalescing.enabled': documented.get('cache.coalescing.enabled'),
      'cache.coalescing.lockTtlMs': documented.get('cache.coalescing.lockTtlMs'),
      'cache.coalescing.waitMs': documented.get('cache.coalescing.waitMs'),
    }).toEqual({
      'cache.cacheable': d.cacheable,
      'cache.ttlSeconds': String(d.ttlSeconds),
      'cache.maxTtlSeconds': String(d.maxTtlSeconds),
      'cache.memory.maxEntries': String(d.maxEntries),
      'cache.memory.maxBytes': String(d.maxBytes),
      'cache.maxEntryBytes': String(d.maxEntryBytes),
      'cache.redis.tls': String(d.tls),
      'cache.redis.keyPrefix': d.keyPrefix,
      'cache.redis.commandTimeoutMs': String(d.commandTimeoutMs),
      'cache.redis.connectTimeoutMs': String(d.connectTimeoutMs),
      'cache.coalescing.enabled': String(d.coalescing),
      'cache.coalescing.lockTtlMs': String(d.lockTtlMs),
      'cache.coalescing.waitMs': String(d.waitMs),
    });
  });

  it('applies every default to what is left unset, and keeps what is set (0 entries included)', () => {
    expect(resolveCacheOptions({ type: 'memory' })).toEqual({
      cacheable: CACHE_DEFAULTS.cacheable,
      models: undefined,
      ttlMs: CACHE_DEFAULTS.ttlSeconds * 1000,
      maxTtlMs: CACHE_DEFAULTS.maxTtlSeconds * 1000,
      maxEntries: CACHE_DEFAULTS.maxEntries,
      maxBytes: CACHE_DEFAULTS.maxBytes,
      maxEntryBytes: CACHE_DEFAULTS.maxEntryBytes,
      keyPrefix: CACHE_DEFAULTS.keyPrefix,
      coalescing: CACHE_DEFAULTS.coalescing,
      lockTtlMs: CACHE_DEFAULTS.lockTtlMs,
      waitMs: CACHE_DEFAULTS.waitMs,
      tls: CACHE_DEFAULTS.tls,
      commandTimeoutMs: CACHE_DEFAULTS.commandTimeoutMs,
      connectTimeoutMs: CACHE_DEFAULTS.connectTimeoutMs,
    });
    expect(
      resolveCacheOptions({ type: 'redis', cacheable: 'all', ttl: 5, maxSize: 0, redis: { url: 'redis://x', commandTimeoutMs: 7 }, coalescing: { enabled: false } }),
    ).toMatchObject({ cacheable: 'all', ttlMs: 5000, maxEntries: 0, commandTimeoutMs: 7, coalescing: false, connectTimeoutMs: CACHE_DEFAULTS.connectTimeoutMs });
  });
});
