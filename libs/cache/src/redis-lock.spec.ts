import { RedisLock } from './redis-lock';
import { FakeRedis } from './redis.spec-helpers';

describe('RedisLock', () => {
  afterEach(() => jest.restoreAllMocks());

  it('is held by one claimant at a time (SET NX), for its TTL (PX)', async () => {
    const redis = new FakeRedis();
    const lock = new RedisLock(redis.asClient(), 1000);
    const token = await lock.acquire('k:lock', 30_000);
    expect(token).toEqual(expect.any(String));
    expect(redis.data.get('k:lock')?.value).toBe(token);
    expect(redis.expiryOf('k:lock')).toBeLessThanOrEqual(Date.now() + 30_000);
    expect(await lock.acquire('k:lock', 30_000)).toBeNull();
    expect(await lock.acquire('other:lock', 30_000)).toEqual(expect.any(String));
  });

  it('expires by itself, so a crashed holder blocks nobody for long', async () => {
    let now = Date.now();
    jest.spyOn(Date, 'now').mockImplementation(() => now);
    const redis = new FakeRedis();
    const lock = new RedisLock(redis.asClient(), 1000);
    await lock.acquire('k:lock', 5_000);
    now += 5_001;
    expect(await lock.acquire('k:lock', 5_000)).toEqual(expect.any(String));
  });

  it('gives every claim its own token', async () => {
    const redis = new FakeRedis();
    const lock = new RedisLock(redis.asClient(), 1000);
    const first = await lock.acquire('a:lock', 1000);
    const second = await lock.acquire('b:lock', 1000);
    expect(first).not.toBe(second);
  });

  it('release frees the lock only for the token that holds it', async () => {
    const redis = new FakeRedis();
    const lock = new RedisLock(redis.asClient(), 1000);
    const token = (await lock.acquire('k:lock', 30_000))!;
    await lock.release('k:lock', 'someone-else');
    expect(await lock.acquire('k:lock', 30_000)).toBeNull();
    await lock.release('k:lock', token);
    expect(redis.data.has('k:lock')).toBe(false);
    expect(await lock.acquire('k:lock', 30_000)).toEqual(expect.any(String));
  });

  it('a holder slower than the TTL does not free the lock another claimant has taken since', async () => {
    let now = Date.now();
    jest.spyOn(Date, 'now').mockImplementation(() => now);
    const redis = new FakeRedis();
    const lock = new RedisLock(redis.asClient(), 1000);
    const slow = (await lock.acquire('k:lock', 1_000))!;
    now += 1_001;
    const next = (await lock.acquire('k:lock', 1_000))!;
    await lock.release('k:lock', slow);
    expect(redis.data.get('k:lock')?.value).toBe(next);
  });

  it('a Redis that fails or hangs makes acquire throw (within the timeout), not wait', async () => {
    const redis = new FakeRedis();
    const lock = new RedisLock(redis.asClient(), 30);
    redis.misbehave.set('set', 'fail');
    await expect(lock.acquire('k:lock', 1000)).rejects.toThrow(/failed/);
    redis.misbehave.set('set', 'hang');
    await expect(lock.acquire('k:lock', 1000)).rejects.toThrow('redis lock timed out');
    redis.misbehave.set('eval', 'hang');
    await expect(lock.release('k:lock', 'token')).rejects.toThrow('redis unlock timed out');
  });
});
