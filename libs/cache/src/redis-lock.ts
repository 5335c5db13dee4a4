import { randomBytes } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import { withTimeout } from './with-timeout';

// Deletes the lock only if it still holds our token: a leader slower than the lock's TTL must
// not free a lock another replica has taken since. One key, so Redis Cluster runs it on its slot.
const RELEASE_SCRIPT = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

/**
 * A short claim on one request across replicas (SET NX PX): the holder goes upstream, the others
 * wait for its answer in the shared tier. Not a correctness lock (Redlock is not needed): losing
 * it only costs a duplicate upstream call, so a Redis failure is treated as "not held by anyone".
 */
export class RedisLock {
  constructor(
    private readonly client: Redis | Cluster,
    private readonly timeoutMs: number,
  ) {}

  /** The token when acquired, null when another replica holds it; throws when Redis failed. */
  async acquire(key: string, ttlMs: number): Promise<string | null> {
    const token = randomBytes(12).toString('base64url');
    const reply = await withTimeout(this.client.set(key, token, 'PX', ttlMs, 'NX'), this.timeoutMs, 'redis lock timed out');
    return reply === 'OK' ? token : null;
  }

  async release(key: string, token: string): Promise<void> {
    await withTimeout(this.client.eval(RELEASE_SCRIPT, 1, key, token), this.timeoutMs, 'redis unlock timed out');
  }
}
