import { createCache, type Cache } from 'cache-manager';
import { Keyv } from 'keyv';
import { LRUCache } from 'lru-cache';
import type { Cluster, Redis } from 'ioredis';
import type { CachedAnswer } from './cached-answer';
import type { CacheEvents, CacheTier } from './cache-events';
import { IoredisKeyvStore } from './ioredis-keyv-store';

export interface ResponseCacheOptions {
  /** The in-process tier; absent (or maxEntries 0) for none. */
  memory?: { maxEntries: number; maxBytes: number };
  /** The shared tier. */
  redis?: { client: Redis | Cluster; timeoutMs: number };
}

export interface CacheHit {
  answer: CachedAnswer;
  tier: CacheTier;
}

/**
 * Two tiers through cache-manager: L1 an in-process LRU bounded by entries and bytes, L2 Redis
 * (single node or Cluster). Reads try L1, then L2, and copy an L2 hit into L1 for the time it
 * has left. Writes go to both. Each tier is its own cache-manager instance so a hit knows its
 * tier. Never throws: a Redis failure is a miss (reads) or a lost write, counted in `events`.
 */
export class ResponseCache {
  private readonly memory?: Cache;
  private readonly shared?: Cache;

  constructor(
    options: ResponseCacheOptions,
    private readonly events: CacheEvents,
  ) {
    if (options.memory && options.memory.maxEntries > 0) {
      const lru = new LRUCache<string, KeyvEntry>({
        max: options.memory.maxEntries,
        maxSize: options.memory.maxBytes,
        // Keyv stores { value, expires }; an entry larger than maxBytes is simply not kept.
        sizeCalculation: (entry) => Math.max(1, entry.value?.bytes ?? 1024),
      });
      const keyv = new Keyv({ store: mapView(lru), useKeyPrefix: false });
      // Objects in, objects out: no JSON round trip for the in-process tier.
      keyv.serialize = undefined;
      keyv.deserialize = undefined;
      this.memory = createCache({ stores: [keyv] });
    }
    if (options.redis) {
      const keyv = new Keyv({ store: new IoredisKeyvStore(options.redis.client, options.redis.timeoutMs), useKeyPrefix: false, throwOnErrors: true });
      keyv.on('error', () => undefined); // counted below through cache-manager's events
      this.shared = createCache({ stores: [keyv] });
      this.shared.on('get', ({ error }) => {
        if (error) this.events.emit({ type: 'error', operation: 'get' });
      });
    }
  }

  get enabled(): boolean {
    return this.memory !== undefined || this.shared !== undefined;
  }

  get hasSharedTier(): boolean {
    return this.shared !== undefined;
  }

  async get(key: string): Promise<CacheHit | undefined> {
    if (this.memory) {
      const answer = await this.memory.get<CachedAnswer>(key);
      if (answer) return { answer, tier: 'memory' };
    }
    if (this.shared) {
      const answer = await this.shared.get<CachedAnswer>(key);
      if (answer) {
        const left = answer.expiresAt - Date.now();
        if (left <= 0) return undefined;
        if (this.memory) void this.memory.set(key, answer, left);
        return { answer, tier: 'redis' };
      }
    }
    return undefined;
  }

  /** Only the shared tier: what another replica may have stored meanwhile. */
  async getShared(key: string): Promise<CachedAnswer | undefined> {
    return this.shared?.get<CachedAnswer>(key);
  }

  async set(key: string, answer: CachedAnswer): Promise<void> {
    const ttl = answer.expiresAt - Date.now();
    if (ttl <= 0) return;
    if (this.memory) await this.memory.set(key, answer, ttl);
    if (this.shared) {
      try {
        await this.shared.set(key, answer, ttl);
      } catch {
        this.events.emit({ type: 'error', operation: 'set' });
      }
    }
  }
}

/** What Keyv keeps in its store per key when its serializer is off. */
interface KeyvEntry {
  value?: CachedAnswer;
  expires?: number;
}

/**
 * lru-cache as the Map Keyv expects. Keyv calls `set(key, value, ttlMs)`, but lru-cache's third
 * argument is an options object (a number there throws); Keyv already tracks expiry itself.
 */
function mapView<V extends object>(lru: LRUCache<string, V>) {
  return {
    get: (key: string) => lru.get(key),
    set: (key: string, value: V) => {
      lru.set(key, value);
      return true;
    },
    delete: (key: string) => lru.delete(key),
    has: (key: string) => lru.has(key),
    clear: () => lru.clear(),
  };
}
