import { RetryBudget } from './retry-budget';
import { abortableDelay, fullJitterBackoff, retryAfterMs } from './retry-backoff';
import { HubErrors, upstreamHttpError } from '@llm-connector-hub/core';

describe('RetryBudget', () => {
  let now = 0;
  const clock = () => now;
  beforeEach(() => (now = 1_000_000));

  const budget = (ratio: number, minPerSecond = 0, windowMs = 10_000) => new RetryBudget({ ratio, minPerSecond, windowMs }, clock);

  it('allows retries while retries < ratio * requests', () => {
    const b = budget(0.2);
    for (let i = 0; i < 10; i++) b.recordRequest();
    // 0.2 * 10 = 2 retries.
    expect([b.tryAcquireRetry(), b.tryAcquireRetry(), b.tryAcquireRetry()]).toEqual([true, true, false]);
    expect(b.snapshot()).toEqual({ requests: 10, retries: 2 });
  });

  it('refuses every retry with no ratio and no floor', () => {
    const b = budget(0, 0);
    b.recordRequest();
    expect(b.tryAcquireRetry()).toBe(false);
  });

  it('adds minPerSecond * window seconds as a floor', () => {
    const b = budget(0, 2, 5_000);
    const granted = Array.from({ length: 15 }, () => b.tryAcquireRetry()).filter(Boolean).length;
    expect(granted).toBe(10);
  });

  it('forgets requests and retries that slid out of the window, bucket by bucket', () => {
    const b = budget(0.5, 0, 10_000);
    for (let i = 0; i < 4; i++) b.recordRequest(); // t = 0
    expect(b.tryAcquireRetry()).toBe(true);
    expect(b.tryAcquireRetry()).toBe(true);
    expect(b.tryAcquireRetry()).toBe(false);

    now += 5_000;
    for (let i = 0; i < 2; i++) b.recordRequest(); // t = 5 s
    expect(b.tryAcquireRetry()).toBe(true); // 2 < 0.5 * 6
    expect(b.snapshot()).toEqual({ requests: 6, retries: 3 });

    now += 5_500; // t = 10.5 s: the first bucket (t = 0) has left the window
    expect(b.snapshot()).toEqual({ requests: 2, retries: 1 });
    expect(b.tryAcquireRetry()).toBe(false); // 1 < 0.5 * 2 is false

    now += 60_000; // long idle: everything is gone
    expect(b.snapshot()).toEqual({ requests: 0, retries: 0 });
  });

  it('keeps counting when the clock steps back', () => {
    const b = budget(1);
    b.recordRequest();
    now -= 50_000;
    b.recordRequest();
    expect(b.snapshot()).toEqual({ requests: 2, retries: 0 });
  });
});

describe('fullJitterBackoff', () => {
  const delays = (random: () => number, count: number) => {
    let backoff = fullJitterBackoff({ initialDelayMs: 100, maxDelayMs: 1000 }, random).next(undefined);
    const out = [backoff.duration];
    for (let i = 1; i < count; i++) {
      backoff = backoff.next(undefined);
      out.push(backoff.duration);
    }
    return out;
  };

  it('doubles from initialDelayMs up to maxDelayMs at the top of the jitter', () => {
    expect(delays(() => 0.9999, 6)).toEqual([99, 199, 399, 799, 999, 999]);
  });

  it('draws each delay from [0, cap)', () => {
    expect(delays(() => 0, 3)).toEqual([0, 0, 0]);
    const random = delays(Math.random, 50);
    expect(Math.min(...random)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...random)).toBeLessThan(1000);
  });
});

describe('retryAfterMs', () => {
  it('reads the wait the provider asked for', () => {
    expect(retryAfterMs(upstreamHttpError('p', 429, 'x', 3))).toBe(3000);
    expect(retryAfterMs(upstreamHttpError('p', 429, 'x', 0.25))).toBe(250);
    expect(retryAfterMs(upstreamHttpError('p', 429, 'x', 0))).toBe(0);
  });

  it('is undefined when there was none', () => {
    expect(retryAfterMs(upstreamHttpError('p', 503, 'x'))).toBeUndefined();
    expect(retryAfterMs(HubErrors.upstreamConnection('p', 'x'))).toBeUndefined();
    expect(retryAfterMs(new Error('x'))).toBeUndefined();
  });
});

describe('abortableDelay', () => {
  it('rejects with the reason as soon as the signal aborts', async () => {
    const controller = new AbortController();
    const reason = new Error('caller left');
    setTimeout(() => controller.abort(reason), 10);
    const started = Date.now();
    await expect(abortableDelay(10_000, controller.signal)).rejects.toBe(reason);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('rejects at once on an aborted signal and resolves after the wait otherwise', async () => {
    const reason = new Error('gone');
    await expect(abortableDelay(10, AbortSignal.abort(reason))).rejects.toBe(reason);
    const started = Date.now();
    await abortableDelay(20, new AbortController().signal);
    expect(Date.now() - started).toBeGreaterThanOrEqual(19);
  });
});
