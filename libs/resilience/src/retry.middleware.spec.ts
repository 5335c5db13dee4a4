import { HubErrors, upstreamHttpError, type ChatCompletionChunk } from '@llm-connector-hub/core';
import type { HubCallMeta } from '@llm-connector-hub/hub';
import type { DeepPartial, ResilienceSettings, RetryOptions } from './resilience-options';
import { RetryMiddleware, type RetryMiddlewareHooks } from './retry.middleware';
import { TimeoutMiddleware } from './timeout.middleware';
import { ask, collect, hubErrorOf, hubWith, textOf, ScriptedProvider } from './retry.spec-helpers';

/** Fast retries by default; each test narrows what it is about. */
const retrySettings = (retry: DeepPartial<RetryOptions>): ResilienceSettings => ({
  defaults: { retry: { initialDelayMs: 1, maxDelayMs: 2, ...retry, budget: { ratio: 10, minPerSecond: 1000, ...retry.budget } } },
});

function setup(retry: DeepPartial<RetryOptions> = {}, hooks: RetryMiddlewareHooks = {}) {
  const provider = new ScriptedProvider('p');
  const { hub, seen } = hubWith({ p: provider }, (events) => [RetryMiddleware.fromSettings(retrySettings(retry), events, hooks)]);
  return { provider, hub, seen };
}

const unavailable = () => upstreamHttpError('p', 503, 'overloaded');
const rateLimited = (seconds: number) => upstreamHttpError('p', 429, 'slow down', seconds);

describe('RetryMiddleware', () => {
  describe('complete', () => {
    it('retries retryable failures until one succeeds, and counts the attempts', async () => {
      const { provider, hub, seen } = setup({ maxAttempts: 3 });
      provider.script = (n) => (n < 3 ? { fail: unavailable() } : undefined);
      const meta: HubCallMeta = {};

      const result = await hub.complete(ask(), { meta });

      expect(result.choices[0].message.content).toBe('p:m');
      expect(provider.calls).toHaveLength(3);
      expect(meta.attempts).toBe(3);
      expect(seen.filter((e) => e.type === 'retry')).toEqual([
        { type: 'retry', provider: 'p', model: 'm', attempt: 2, delayMs: expect.any(Number), reason: 'upstream_error' },
        { type: 'retry', provider: 'p', model: 'm', attempt: 3, delayMs: expect.any(Number), reason: 'upstream_error' },
      ]);
    });

    it('takes the documented options: maxAttempts for every provider, per-provider settings and events beside it', async () => {
      const p = new ScriptedProvider('p');
      const q = new ScriptedProvider('q');
      const fast = { initialDelayMs: 1, maxDelayMs: 2 };
      const { hub, seen } = hubWith({ p, q }, (events) => [new RetryMiddleware({ maxAttempts: 2, ...fast, providers: { q: { retry: { maxAttempts: 1 } } }, events })]);
      p.script = q.script = () => ({ fail: unavailable() });
      await expect(hub.complete(ask('p'))).rejects.toThrow();
      await expect(hub.complete(ask('q'))).rejects.toThrow();
      expect([p.calls.length, q.calls.length]).toEqual([2, 1]);
      expect(seen.filter((e) => e.type === 'retry')).toHaveLength(1);
      // Without options: the defaults (RESILIENCE_DEFAULTS.retry), events to a channel of its own.
      expect(() => new RetryMiddleware()).not.toThrow();
    });

    it('gives up after maxAttempts attempts in all and throws the last error', async () => {
      const { provider, hub } = setup({ maxAttempts: 4 });
      provider.script = (n) => ({ fail: upstreamHttpError('p', 500, `failure ${n}`) });

      const error = await hubErrorOf(hub.complete(ask()));

      expect(provider.calls).toHaveLength(4);
      expect(error.status).toBe(502);
      expect(error.message).toContain('failure 4');
    });

    it('does not retry an answer over the size limits', async () => {
      const { provider, hub, seen } = setup({ maxAttempts: 3 });
      provider.script = () => ({ fail: HubErrors.upstreamResponseTooLarge('p', 1024, 'answer') });

      const error = await hubErrorOf(hub.complete(ask()));

      expect(error.code).toBe('upstream_response_too_large');
      expect(provider.calls).toHaveLength(1);
      expect(seen).toEqual([]);
    });

    it.each([400, 401, 403, 404, 422])('does not retry an upstream %i', async (status) => {
      const { provider, hub, seen } = setup({ maxAttempts: 3 });
      provider.script = () => ({ fail: upstreamHttpError('p', status, 'no') });

      const error = await hubErrorOf(hub.complete(ask()));

      expect(error.upstreamStatus).toBe(status);
      expect(provider.calls).toHaveLength(1);
      expect(seen).toEqual([]);
    });

    it('does not retry errors that are not HubErrors (bugs are not transient)', async () => {
      const { provider, hub } = setup({ maxAttempts: 3 });
      provider.script = () => ({ fail: new TypeError('undefined is not a function') });

      await expect(hub.complete(ask())).rejects.toThrow(TypeError);
      expect(provider.calls).toHaveLength(1);
    });

    it('retries connection errors and 408/409/429', async () => {
      for (const fail of [HubErrors.upstreamConnection('p', new Error('ECONNRESET')), upstreamHttpError('p', 408, 'x'), upstreamHttpError('p', 409, 'x'), upstreamHttpError('p', 429, 'x')]) {
        const { provider, hub } = setup({ maxAttempts: 2 });
        provider.script = (n) => (n === 1 ? { fail } : undefined);
        await hub.complete(ask());
        expect(provider.calls).toHaveLength(2);
      }
    });

    it('backs off exponentially with full jitter, capped at maxDelayMs', async () => {
      const { provider, hub, seen } = setup({ maxAttempts: 5, initialDelayMs: 10, maxDelayMs: 25 }, { random: () => 0.5 });
      provider.script = () => ({ fail: unavailable() });
      const started = Date.now();

      await hubErrorOf(hub.complete(ask()));

      // Caps 10, 20, 25, 25; half of each (the pinned random), floored.
      const delays = seen.flatMap((e) => (e.type === 'retry' ? [e.delayMs] : []));
      expect(delays).toEqual([5, 10, 12, 12]);
      expect(Date.now() - started).toBeGreaterThanOrEqual(35);
      expect(provider.calls).toHaveLength(5);
    });

    it("waits the provider's Retry-After instead of the backoff", async () => {
      const { provider, hub, seen } = setup({ maxAttempts: 2, initialDelayMs: 1, maxDelayMs: 1 });
      provider.script = (n) => (n === 1 ? { fail: rateLimited(0.12) } : undefined);
      const started = Date.now();

      await hub.complete(ask());

      expect(Date.now() - started).toBeGreaterThanOrEqual(110);
      expect(provider.calls).toHaveLength(2);
      expect(seen).toEqual([{ type: 'retry', provider: 'p', model: 'm', attempt: 2, delayMs: 120, reason: 'upstream_rate_limited' }]);
    });

    it('does not retry when Retry-After asks for more than maxRetryAfterMs, so a fallback can take over', async () => {
      const { provider, hub, seen } = setup({ maxAttempts: 3, maxRetryAfterMs: 1000 });
      provider.script = () => ({ fail: rateLimited(30) });
      const started = Date.now();

      const error = await hubErrorOf(hub.complete(ask()));

      expect(Date.now() - started).toBeLessThan(500);
      expect(error.status).toBe(429);
      expect(error.retryAfterSeconds).toBe(30);
      expect(provider.calls).toHaveLength(1);
      expect(seen).toEqual([]);
    });

    it('does not start a wait that would outlast the deadline of the call', async () => {
      const { provider, hub } = setup({ maxAttempts: 3, maxRetryAfterMs: 10_000 });
      provider.script = () => ({ fail: rateLimited(2) });
      const started = Date.now();

      const error = await hubErrorOf(hub.complete({ ...ask(), timeout: 500 }));

      expect(Date.now() - started).toBeLessThan(400);
      expect(error.code).toBe('upstream_rate_limited');
      expect(provider.calls).toHaveLength(1);
    });

    it('stops waiting at once when the caller leaves during a backoff, and does not retry', async () => {
      const { provider, hub } = setup({ maxAttempts: 3, maxRetryAfterMs: 10_000 });
      provider.script = () => ({ fail: rateLimited(5) });
      const caller = new AbortController();
      setTimeout(() => caller.abort(), 30);
      const started = Date.now();

      const error = await hubErrorOf(hub.complete(ask(), { signal: caller.signal }));

      expect(Date.now() - started).toBeLessThan(1000);
      expect(error.code).toBe('client_closed_request');
      expect(provider.calls).toHaveLength(1);
    });

    it('does not retry an attempt the caller aborted', async () => {
      const { provider, hub, seen } = setup({ maxAttempts: 3 });
      provider.script = () => ({ hang: true });
      const caller = new AbortController();
      setTimeout(() => caller.abort(), 20);

      const error = await hubErrorOf(hub.complete(ask(), { signal: caller.signal }));

      expect(error.code).toBe('client_closed_request');
      expect(provider.calls).toHaveLength(1);
      expect(seen).toEqual([]);
    });

    it("does not retry when the call's total timeout passes, though that is a 504", async () => {
      const { provider, hub } = setup({ maxAttempts: 3 });
      provider.script = () => ({ hang: true });

      const error = await hubErrorOf(hub.complete({ ...ask(), timeout: 40 }));

      expect(error.code).toBe('upstream_timeout');
      expect(error.message).toContain('40 ms');
      expect(provider.calls).toHaveLength(1);
    });

    it('retries an attempt that the timeout layer below aborted, with a fresh signal', async () => {
      const provider = new ScriptedProvider('p');
      const settings: ResilienceSettings = { defaults: { ...retrySettings({ maxAttempts: 2 }).defaults, timeout: { attemptMs: 30 } } };
      const { hub, seen } = hubWith({ p: provider }, (events) => [RetryMiddleware.fromSettings(settings, events), new TimeoutMiddleware(settings, events)]);
      provider.script = (n) => (n === 1 ? { hang: true } : undefined);

      const result = await hub.complete(ask());

      expect(result.choices[0].message.content).toBe('p:m');
      expect(provider.calls.map((c) => c.signal.aborted)).toEqual([true, false]);
      expect(seen.map((e) => e.type)).toEqual(['timeout', 'retry']);
    });

    it('passes calls straight through when maxAttempts is 1', async () => {
      const { provider, hub, seen } = setup({ maxAttempts: 1 });
      provider.script = () => ({ fail: unavailable() });

      await hubErrorOf(hub.complete(ask()));

      expect(provider.calls).toHaveLength(1);
      expect(seen).toEqual([]);
    });

    it('takes the options of the provider the call goes to', async () => {
      const a = new ScriptedProvider('a');
      const b = new ScriptedProvider('b');
      const settings: ResilienceSettings = {
        defaults: retrySettings({ maxAttempts: 3 }).defaults,
        providers: { b: { retry: { maxAttempts: 1 } } },
      };
      const { hub } = hubWith({ a, b }, (events) => [RetryMiddleware.fromSettings(settings, events)]);
      a.script = b.script = () => ({ fail: unavailable() });

      await hubErrorOf(hub.complete(ask('a')));
      await hubErrorOf(hub.complete(ask('b')));

      expect([a.calls.length, b.calls.length]).toEqual([3, 1]);
    });
  });

  describe('retry budget', () => {
    it('limits retries to the ratio of requests under sustained failure', async () => {
      const { provider, hub, seen } = setup({ maxAttempts: 3, initialDelayMs: 0, budget: { ratio: 0.2, minPerSecond: 0, windowMs: 60_000 } });
      provider.script = () => ({ fail: unavailable() });

      for (let i = 0; i < 100; i++) await hubErrorOf(hub.complete(ask()));

      const retries = seen.filter((e) => e.type === 'retry').length;
      // Without the budget: 300 calls (3 attempts each).
      expect(retries).toBeGreaterThanOrEqual(15);
      expect(retries).toBeLessThanOrEqual(21);
      expect(provider.calls).toHaveLength(100 + retries);
      expect(seen.filter((e) => e.type === 'retry_budget_exhausted').length).toBeGreaterThan(50);
      expect(seen.find((e) => e.type === 'retry_budget_exhausted')).toEqual({ type: 'retry_budget_exhausted', provider: 'p', model: 'm' });
    });

    it("notes on the call's meta that the budget refused a retry (callers should not retry either)", async () => {
      const { provider, hub } = setup({ maxAttempts: 3, initialDelayMs: 0, budget: { ratio: 0, minPerSecond: 0, windowMs: 60_000 } });
      provider.script = () => ({ fail: unavailable() });
      const meta: HubCallMeta = {};
      await hubErrorOf(hub.complete(ask(), { meta }));
      expect(meta).toMatchObject({ attempts: 1, retryBudgetExhausted: true });

      provider.script = () => undefined;
      const served: HubCallMeta = {};
      await hub.complete(ask(), { meta: served });
      expect(served.retryBudgetExhausted).toBeUndefined();
    });

    it('still retries freely while the provider mostly succeeds', async () => {
      const { provider, hub } = setup({ maxAttempts: 2, initialDelayMs: 0, budget: { ratio: 0.2, minPerSecond: 0, windowMs: 60_000 } });
      // Every 10th call fails once.
      provider.script = (n) => (n % 11 === 1 ? { fail: unavailable() } : undefined);

      for (let i = 0; i < 50; i++) await hub.complete(ask());

      expect(provider.calls.length).toBeGreaterThan(50);
    });

    it('allows minPerSecond retries per second of window even without requests to share', async () => {
      const { provider, hub } = setup({ maxAttempts: 2, initialDelayMs: 0, budget: { ratio: 0, minPerSecond: 1, windowMs: 3000 } });
      provider.script = () => ({ fail: unavailable() });

      for (let i = 0; i < 10; i++) await hubErrorOf(hub.complete(ask()));

      // 1 per second over a 3 s window: 3 retries.
      expect(provider.calls).toHaveLength(13);
    });

    it('is kept per provider: one failing provider does not spend the budget of another', async () => {
      const a = new ScriptedProvider('a');
      const b = new ScriptedProvider('b');
      const settings = retrySettings({ maxAttempts: 2, initialDelayMs: 0, budget: { ratio: 0.1, minPerSecond: 0, windowMs: 60_000 } });
      const { hub } = hubWith({ a, b }, (events) => [RetryMiddleware.fromSettings(settings, events)]);
      a.script = () => ({ fail: unavailable() });
      b.script = (n) => (n === 1 ? { fail: unavailable() } : undefined);

      // 29 failing requests spend a's budget: 3 retries, and 3 < 0.1 * 29 no longer holds
      // (nor would it with b's request added to a shared count: 3 < 0.1 * 30).
      for (let i = 0; i < 29; i++) await hubErrorOf(hub.complete(ask('a')));
      await hub.complete(ask('b'));

      expect(a.calls).toHaveLength(32);
      expect(b.calls).toHaveLength(2);
    });
  });

  describe('stream', () => {
    it('retries a stream that fails before its first chunk', async () => {
      const { provider, hub } = setup({ maxAttempts: 3 });
      provider.script = (n) => (n < 3 ? { fail: unavailable() } : undefined);

      const chunks = await collect(hub.streamComplete(ask()));

      expect(textOf(chunks)).toBe('p:m:Hello!');
      expect(provider.calls).toHaveLength(3);
    });

    it('never retries a stream after its first chunk: the failure reaches the caller untouched', async () => {
      const { provider, hub, seen } = setup({ maxAttempts: 3 });
      const cut = HubErrors.streamInterrupted('p', 'connection reset');
      provider.script = () => ({ fail: cut, afterChunks: 1 });
      const received: ChatCompletionChunk[] = [];

      const error = await hubErrorOf(
        (async () => {
          for await (const chunk of hub.streamComplete(ask())) received.push(chunk);
        })(),
      );

      expect(error).toBe(cut);
      expect(textOf(received)).toBe('p:m:');
      expect(provider.calls).toHaveLength(1);
      expect(seen).toEqual([]);
    });

    it('closes the upstream stream when the consumer stops early', async () => {
      const { provider, hub } = setup({ maxAttempts: 3 });
      provider.script = (n) => (n === 1 ? { fail: unavailable() } : undefined);

      for await (const chunk of hub.streamComplete(ask())) {
        expect(chunk.choices[0].delta.content).toBe('p:m:');
        break;
      }

      expect(provider.calls).toHaveLength(2);
      expect(provider.streamsClosed).toBe(2);
      expect(provider.inFlight).toBe(0);
    });

    it('sends nothing upstream before the first next()', async () => {
      const { provider, hub } = setup({ maxAttempts: 3 });
      const stream = hub.streamComplete(ask());
      await new Promise((r) => setImmediate(r));
      expect(provider.calls).toHaveLength(0);
      await collect(stream);
      expect(provider.calls).toHaveLength(1);
    });
  });

  describe('embed', () => {
    it('retries embeddings like completions', async () => {
      const { provider, hub } = setup({ maxAttempts: 3 });
      provider.script = (n) => (n === 1 ? { fail: unavailable() } : undefined);

      const result = await hub.embed({ provider: 'p', model: 'e', input: 'x' });

      expect(result.data).toHaveLength(1);
      expect(provider.calls.map((c) => c.kind)).toEqual(['embed', 'embed']);
    });

    it('does not retry an embedding the provider refused', async () => {
      const { provider, hub } = setup({ maxAttempts: 3 });
      provider.script = () => ({ fail: upstreamHttpError('p', 400, 'input too long') });

      await hubErrorOf(hub.embed({ provider: 'p', model: 'e', input: 'x' }));

      expect(provider.calls).toHaveLength(1);
    });
  });
});
