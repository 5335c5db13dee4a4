import type { ChatCompletion } from '@llm-connector-hub/core';
import { CacheEvents, type CacheEvent } from './cache-events';
import type { CachedAnswer } from './cached-answer';
import { FakeRedis } from './redis.spec-helpers';
import { ResponseCache, type ResponseCacheOptions } from './response-cache';

function completion(content: string): ChatCompletion {
  return {
    id: `chatcmpl-${content}`,
    object: 'chat.completion',
    created: 1_700_000_000,
    model: 'gpt-x',
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
  };
}

function answer(content: string, { ttlMs = 60_000, bytes = 100 }: { ttlMs?: number; bytes?: number } = {}): CachedAnswer {
  return { body: completion(content), provider: 'openai', model: 'gpt-x', target: 'openai/gpt-x', expiresAt: Date.now() + ttlMs, bytes };
}

function cacheWith(options: ResponseCacheOptions): { cache: ResponseCache; events: CacheEvent[] } {
  const channel = new CacheEvents();
  const events: CacheEvent[] = [];
  channel.on((event) => events.push(event));
  return { cache: new ResponseCache(options, channel), events };
}

const MEMORY = { maxEntries: 100, maxBytes: 1_000_000 };

async function contentOf(cache: ResponseCache, key: string): Promise<string | null | undefined> {
  const hit = await cache.get(key);
  return hit && (hit.answer.body as ChatCompletion).choices[0].message.content;
}

function fakeClock(): { advance(ms: number): void } {
  let now = Date.now();
  jest.spyOn(Date, 'now').mockImplementation(() => now);
  return {
    advance(ms: number) {
      now += ms;
    },
  };
}

/** `{ value }` when the promise resolves within `ms` (a generous bound), else 'too slow'. */
async function within<T>(promise: Promise<T>, ms: number): Promise<{ value: T } | 'too slow'> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'too slow'>((resolve) => (timer = setTimeout(() => resolve('too slow'), ms)));
  try {
    return await Promise.race([promise.then((value) => ({ value })), late]);
  } finally {
    clearTimeout(timer);
  }
}

afterEach(() => {
  jest.restoreAllMocks();
});

describe('ResponseCache', () => {
  describe('memory tier', () => {
    it('stores and answers from memory until the answer expires', async () => {
      const clock = fakeClock();
      const { cache } = cacheWith({ memory: MEMORY });
      await cache.set('k', answer('hello', { ttlMs: 10_000 }));
      expect(await cache.get('k')).toMatchObject({ tier: 'memory', answer: { target: 'openai/gpt-x' } });
      clock.advance(9_999);
      expect(await contentOf(cache, 'k')).toBe('hello');
      clock.advance(2);
      expect(await cache.get('k')).toBeUndefined();
    });

    it('does not store an answer that has already expired', async () => {
      const { cache } = cacheWith({ memory: MEMORY });
      await cache.set('k', answer('stale', { ttlMs: -1 }));
      expect(await cache.get('k')).toBeUndefined();
    });

    it('keeps at most maxEntries, evicting the least recently used', async () => {
      const { cache } = cacheWith({ memory: { maxEntries: 2, maxBytes: 1_000_000 } });
      await cache.set('a', answer('a'));
      await cache.set('b', answer('b'));
      expect(await contentOf(cache, 'a')).toBe('a'); // a is now the most recently used
      await cache.set('c', answer('c'));
      expect(await cache.get('b')).toBeUndefined();
      expect(await contentOf(cache, 'a')).toBe('a');
      expect(await contentOf(cache, 'c')).toBe('c');
    });

    it('bounds the total bytes, evicting the least recently used', async () => {
      const { cache } = cacheWith({ memory: { maxEntries: 100, maxBytes: 1_000 } });
      for (const key of ['a', 'b', 'c', 'd', 'e']) await cache.set(key, answer(key, { bytes: 400 }));
      const kept = [];
      for (const key of ['a', 'b', 'c', 'd', 'e']) if (await cache.get(key)) kept.push(key);
      expect(kept).toEqual(['d', 'e']);
    });

    it('does not keep an entry larger than maxBytes, and it does not push out the others', async () => {
      const { cache } = cacheWith({ memory: { maxEntries: 100, maxBytes: 1_000 } });
      await cache.set('small', answer('small', { bytes: 600 }));
      await cache.set('huge', answer('huge', { bytes: 5_000 }));
      expect(await cache.get('huge')).toBeUndefined();
      expect(await contentOf(cache, 'small')).toBe('small');
    });
  });

  describe('shared tier (Redis)', () => {
    it('round-trips an answer through Redis as JSON, with Redis expiring it at the same time', async () => {
      const redis = new FakeRedis();
      const { cache } = cacheWith({ redis: { client: redis.asClient(), timeoutMs: 1000 } });
      const stored = answer('shared', { ttlMs: 30_000 });
      await cache.set('k', stored);
      expect(typeof redis.data.get('k')?.value).toBe('string');
      expect(redis.expiryOf('k')).toBeGreaterThan(Date.now() + 29_000);
      expect(redis.expiryOf('k')).toBeLessThanOrEqual(Date.now() + 30_000);
      const hit = await cache.get('k');
      expect(hit).toEqual({ tier: 'redis', answer: stored });
      expect(await cache.getShared('k')).toEqual(stored);
    });

    it('copies a Redis hit into memory for the time it has left, not for a fresh TTL', async () => {
      const clock = fakeClock();
      const redis = new FakeRedis();
      const writer = cacheWith({ redis: { client: redis.asClient(), timeoutMs: 1000 } }).cache;
      await writer.set('k', answer('from another replica', { ttlMs: 10_000 }));

      const { cache } = cacheWith({ memory: MEMORY, redis: { client: redis.asClient(), timeoutMs: 1000 } });
      clock.advance(6_000);
      expect(await cache.get('k')).toMatchObject({ tier: 'redis' });
      // From now on memory answers, even with Redis gone.
      redis.misbehave.set('get', 'fail');
      clock.advance(3_000);
      expect(await cache.get('k')).toMatchObject({ tier: 'memory' });
      // 11 s after it was stored: its original 10 s are over, in memory too.
      clock.advance(2_000);
      expect(await cache.get('k')).toBeUndefined();
    });

    it('writes go to both tiers', async () => {
      const redis = new FakeRedis();
      const { cache } = cacheWith({ memory: MEMORY, redis: { client: redis.asClient(), timeoutMs: 1000 } });
      await cache.set('k', answer('both'));
      expect(redis.data.has('k')).toBe(true);
      redis.data.clear();
      expect(await cache.get('k')).toMatchObject({ tier: 'memory' });
    });

    it('a Redis that fails is a miss, reported as an error', async () => {
      const redis = new FakeRedis();
      const { cache, events } = cacheWith({ memory: MEMORY, redis: { client: redis.asClient(), timeoutMs: 1000 } });
      redis.misbehave.set('get', 'fail');
      await expect(cache.get('k')).resolves.toBeUndefined();
      await expect(cache.getShared('k')).resolves.toBeUndefined();
      expect(events.filter((event) => event.type === 'error')).toEqual([
        { type: 'error', operation: 'get' },
        { type: 'error', operation: 'get' },
      ]);
    });

    it('a Redis that hangs is a miss within the timeout, reported as an error', async () => {
      const redis = new FakeRedis();
      const { cache, events } = cacheWith({ memory: MEMORY, redis: { client: redis.asClient(), timeoutMs: 30 } });
      redis.misbehave.set('get', 'hang');
      expect(await within(cache.get('k'), 900)).toEqual({ value: undefined });
      expect(events).toContainEqual({ type: 'error', operation: 'get' });
    });

    it('an entry Redis still holds but Keyv sees as expired (clock skew) is a bounded miss even if DEL hangs', async () => {
      const redis = new FakeRedis();
      const { cache } = cacheWith({ redis: { client: redis.asClient(), timeoutMs: 30 } });
      const clock = fakeClock();
      await cache.set('k', answer('old', { ttlMs: 5_000 }));
      // Redis (on a clock of its own) still holds it when the gateway's clock says it expired.
      redis.data.get('k')!.expiresAt = undefined;
      clock.advance(10_000);
      redis.misbehave.set('del', 'hang');
      expect(await within(cache.get('k'), 900)).toEqual({ value: undefined });
    });

    it('set never throws when Redis fails or hangs, reports it, and still fills memory', async () => {
      for (const how of ['fail', 'hang'] as const) {
        const redis = new FakeRedis();
        const { cache, events } = cacheWith({ memory: MEMORY, redis: { client: redis.asClient(), timeoutMs: 30 } });
        redis.misbehave.set('set', how);
        await expect(cache.set('k', answer('kept locally'))).resolves.toBeUndefined();
        expect(events).toContainEqual({ type: 'error', operation: 'set' });
        expect(await cache.get('k')).toMatchObject({ tier: 'memory' });
      }
    });
  });
});
