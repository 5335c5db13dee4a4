import { EventEmitter } from 'node:events';
import type { Cluster, Redis } from 'ioredis';
import type { KeyvStoreAdapter, StoredData } from 'keyv';
import { withTimeout } from './with-timeout';

/**
 * A Keyv storage adapter (Keyv's documented KeyvStoreAdapter) over an ioredis client, single node
 * or Cluster. Written by hand because Keyv's own Redis store (@keyv/redis) is built on node-redis,
 * and the gateway needs ioredis's Cluster client (MOVED/ASK handling, replica failover, no offline
 * queue). Values are stored exactly as Keyv hands them over and handed back as stored: their
 * format is Keyv's business. Only single-key commands are used, so Redis Cluster never answers
 * CROSSSLOT. Keys arrive complete (Keyv's `useKeyPrefix: false`).
 */
export class IoredisKeyvStore extends EventEmitter implements KeyvStoreAdapter {
  /** Keyv's adapter contract asks for it; no options of Keyv's apply here (no iterator: the cache never lists keys). */
  readonly opts: Record<string, unknown> = {};
  namespace?: string;

  /**
   * @param timeoutMs a bound on each call, on top of ioredis's per-node commandTimeout: the
   * Cluster client's own redirection and failover retries could otherwise stretch one call.
   */
  constructor(
    private readonly client: Redis | Cluster,
    private readonly timeoutMs: number,
  ) {
    super();
  }

  async get<Value>(key: string): Promise<StoredData<Value> | undefined> {
    const value = await this.bounded(this.client.get(key));
    return (value ?? undefined) as StoredData<Value> | undefined;
  }

  /** `ttl` in ms, as Keyv passes it. */
  async set(key: string, value: string, ttl?: number): Promise<void> {
    if (ttl !== undefined && ttl > 0) await this.bounded(this.client.set(key, value, 'PX', Math.ceil(ttl)));
    else await this.bounded(this.client.set(key, value));
  }

  /** Keyv also calls this from get() when it finds an expired entry: bounded like every command. */
  async delete(key: string): Promise<boolean> {
    return (await this.bounded(this.client.del(key))) > 0;
  }

  async has(key: string): Promise<boolean> {
    return (await this.bounded(this.client.exists(key))) > 0;
  }

  private bounded<T>(command: Promise<T>): Promise<T> {
    return withTimeout(command, this.timeoutMs, `redis command timed out after ${this.timeoutMs} ms`);
  }

  /**
   * Not supported: clearing means scanning every master for the gateway's prefix, which the
   * cache never needs (entries expire by TTL). Refuse loudly rather than flush someone's Redis.
   */
  async clear(): Promise<void> {
    throw new Error('IoredisKeyvStore.clear is not supported; entries expire by their TTL');
  }
}
