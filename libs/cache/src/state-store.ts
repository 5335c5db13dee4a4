import type { Cluster, Redis } from 'ioredis';
import { LRUCache } from 'lru-cache';
import { withTimeout } from './with-timeout';

export interface StateStoreOptions {
  /** Prefix of every key, after the cache's own (e.g. `responses:`). */
  namespace: string;
  /** How long an entry is kept. */
  ttlMs: number;
  /** Bound of the in-process store (used when there is no Redis), by string length; least recently used entries go first. */
  maxBytes: number;
  /** Bound on each Redis call. */
  timeoutMs: number;
  /** The in-process store's clock, in ms (tests); default performance.now. */
  now?: () => number;
}

/** The cache's Redis (single node or Cluster): every replica then reads what any replica wrote. */
export interface StateStoreRedis {
  client: Redis | Cluster;
  keyPrefix: string;
}

/**
 * Strings kept by key for a while, beside the response cache and on its store: in-process when
 * the cache is, in the cache's Redis when it has one (then only there, so a delete or an expiry
 * holds for every replica). Unlike cached answers, these are state a later request names (the
 * Responses API's stored responses), not something that may be recomputed, so nothing here
 * evicts for recency alone under Redis: Redis's own TTL and maxmemory bound it.
 *
 * A Redis failure or a call slower than `timeoutMs` reads as "not there" and loses a write: the
 * request at hand is answered either way, and a later one that needs the entry says it is not found.
 */
export class StateStore {
  private readonly memory?: LRUCache<string, string>;

  constructor(
    private readonly options: StateStoreOptions,
    private readonly shared?: StateStoreRedis,
  ) {
    if (!shared) {
      this.memory = new LRUCache<string, string>({
        maxSize: options.maxBytes,
        sizeCalculation: (value) => Math.max(1, value.length),
        ttl: options.ttlMs,
        // An injected clock is read at every check (no 1 ms memo of its value).
        ...(options.now ? { perf: { now: options.now }, ttlResolution: 0 } : {}),
      });
    }
  }

  async get(key: string): Promise<string | undefined> {
    if (this.memory) return this.memory.get(key);
    try {
      return (await this.redis((client, name) => client.get(name), key)) ?? undefined;
    } catch {
      return undefined;
    }
  }

  /** False when the value was not kept (too large for the in-process bound, or Redis failed). */
  async set(key: string, value: string): Promise<boolean> {
    if (this.memory) {
      this.memory.set(key, value);
      return this.memory.has(key);
    }
    try {
      await this.redis((client, name) => client.set(name, value, 'PX', this.options.ttlMs), key);
      return true;
    } catch {
      return false;
    }
  }

  async delete(key: string): Promise<boolean> {
    if (this.memory) return this.memory.delete(key);
    try {
      return (await this.redis((client, name) => client.del(name), key)) > 0;
    } catch {
      return false;
    }
  }

  private redis<T>(command: (client: Redis | Cluster, name: string) => Promise<T>, key: string): Promise<T> {
    const { client, keyPrefix } = this.shared!;
    const { namespace, timeoutMs } = this.options;
    return withTimeout(command(client, `${keyPrefix}${namespace}${key}`), timeoutMs, `redis command timed out after ${timeoutMs} ms`);
  }
}
