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
 * Two tiers: L1 an in-process LRU bounded by entries and bytes, L2 Redis (single node or Cluster).
 * Reads try L1, then L2, and copy an L2 hit into L1 for the time it has left. Writes go to both.
 * Never throws: a Redis failure is a miss (reads) or a lost write, counted in `events`.
 *
 * L1 is lru-cache used directly: its byte bound needs each entry's size, which is ours
 * (CachedAnswer.bytes), and an answer's expiry is ours too (expiresAt), so nothing in between
 * (Keyv would wrap each answer in an envelope of its own) is needed. L2 is cache-manager over
 * Keyv over IoredisKeyvStore, a Keyv storage adapter that stores what Keyv hands it as it is:
 * the value's format in Redis is Keyv's, and only Keyv reads it.
 */
export class ResponseCache {
  private readonly memory?: LRUCache<string, CachedAnswer>;
  private readonly shared?: Cache;

  constructor(
    options: ResponseCacheOptions,
    private readonly events: CacheEvents,
  ) {
    if (options.memory && options.memory.maxEntries > 0) {
      this.memory = new LRUCache<string, CachedAnswer>({
        max: options.memory.maxEntries,
        maxSize: options.memory.maxBytes,
        // An answer larger than maxBytes is not kept (lru-cache refuses it).
        sizeCalculation: (answer) => Math.max(1, answer.bytes),
      });
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
    const memory = this.memory;
    if (memory) {
      const answer = memory.get(key);
      if (answer) {
        if (answer.expiresAt > Date.now()) return { answer, tier: 'memory' };
        memory.delete(key);
      }
    }
    if (this.shared) {
      const answer = await this.shared.get<CachedAnswer>(key);
      if (answer) {
        const left = answer.expiresAt - Date.now();
        if (left <= 0) return undefined;
        this.memory?.set(key, answer);
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
    this.memory?.set(key, answer);
    if (this.shared) {
      try {
        await this.shared.set(key, answer, ttl);
      } catch {
        this.events.emit({ type: 'error', operation: 'set' });
      }
    }
  }
}
