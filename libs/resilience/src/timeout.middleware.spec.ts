import { upstreamHttpError, type ChatCompletionChunk } from '@llm-connector-hub/core';
import type { ResilienceSettings, TimeoutOptions } from './resilience-options';
import { TimeoutMiddleware } from './timeout.middleware';
import { ask, collect, gate, hubErrorOf, hubWith, textOf, ScriptedProvider } from './retry.spec-helpers';

function setup(timeout: Partial<TimeoutOptions>, hubOptions: { defaultTimeoutMs?: number } = {}) {
  const provider = new ScriptedProvider('p');
  const settings: ResilienceSettings = { defaults: { timeout } };
  const { hub, seen } = hubWith({ p: provider }, (events) => [new TimeoutMiddleware(settings, events)], hubOptions);
  return { provider, hub, seen };
}

describe('TimeoutMiddleware', () => {
  describe('attempt timeout (complete)', () => {
    it("aborts a hung attempt's upstream request and answers 504 upstream_timeout", async () => {
      const { provider, hub, seen } = setup({ attemptMs: 40 });
      provider.script = () => ({ hang: true });
      const started = Date.now();

      const error = await hubErrorOf(hub.complete(ask()));

      expect(Date.now() - started).toBeLessThan(1000);
      expect({ status: error.status, code: error.code }).toEqual({ status: 504, code: 'upstream_timeout' });
      expect(error.message).toContain('40 ms');
      expect(provider.calls[0].signal.aborted).toBe(true);
      expect(seen).toEqual([{ type: 'timeout', provider: 'p', model: 'm', kind: 'attempt' }]);
    });

    it('settles at the timeout even when the provider ignores its signal', async () => {
      const { provider, hub } = setup({ attemptMs: 30 });
      const answer = gate();
      provider.script = () => ({ stall: answer.promise });
      const started = Date.now();

      const error = await hubErrorOf(hub.complete(ask()));

      expect(error.code).toBe('upstream_timeout');
      expect(Date.now() - started).toBeLessThan(500);
      answer.open();
    });

    it('lets an attempt that answers in time through, without aborting it', async () => {
      const { provider, hub, seen } = setup({ attemptMs: 200 });
      provider.script = () => ({ delayMs: 10 });

      const result = await hub.complete(ask());

      expect(result.choices[0].message.content).toBe('p:m');
      expect(provider.calls[0].signal.aborted).toBe(false);
      expect(seen).toEqual([]);
    });

    it("passes the provider's own errors through untouched", async () => {
      const { provider, hub, seen } = setup({ attemptMs: 200 });
      const refused = upstreamHttpError('p', 503, 'busy');
      provider.script = () => ({ fail: refused });

      await expect(hub.complete(ask())).rejects.toBe(refused);
      expect(seen).toEqual([]);
    });

    it("reports a caller who left as the caller's error, not as a timeout", async () => {
      const { provider, hub, seen } = setup({ attemptMs: 5_000 });
      provider.script = () => ({ hang: true });
      const caller = new AbortController();
      setTimeout(() => caller.abort(), 20);

      const error = await hubErrorOf(hub.complete(ask(), { signal: caller.signal }));

      expect({ status: error.status, code: error.code }).toEqual({ status: 499, code: 'client_closed_request' });
      expect(provider.calls[0].signal.aborted).toBe(true);
      expect(seen).toEqual([]);
    });

    it("reports the call's total timeout when it comes first", async () => {
      const { provider, hub, seen } = setup({ attemptMs: 5_000 });
      provider.script = () => ({ hang: true });

      const error = await hubErrorOf(hub.complete({ ...ask(), timeout: 40 }));

      expect(error.code).toBe('upstream_timeout');
      expect(error.message).toContain('within 40 ms');
      expect(seen).toEqual([]);
    });

    it('passes calls straight through when attemptMs is 0', async () => {
      const { provider, hub, seen } = setup({ attemptMs: 0, firstTokenMs: 0 });
      provider.script = () => ({ delayMs: 60 });

      await hub.complete(ask());
      await collect(hub.streamComplete(ask()));

      expect(provider.calls).toHaveLength(2);
      expect(seen).toEqual([]);
    });

    it('times embeddings out like completions', async () => {
      const { provider, hub } = setup({ attemptMs: 30 });
      provider.script = () => ({ hang: true });

      const error = await hubErrorOf(hub.embed({ provider: 'p', model: 'e', input: 'x' }));

      expect(error.code).toBe('upstream_timeout');
      expect(provider.calls[0].signal.aborted).toBe(true);
    });
  });

  describe('first-token timeout (stream)', () => {
    it('aborts a stream whose first chunk is late and answers 504 first_token_timeout', async () => {
      const { provider, hub, seen } = setup({ firstTokenMs: 40 });
      provider.script = () => ({ hang: true });

      const error = await hubErrorOf(collect(hub.streamComplete(ask())));

      expect({ status: error.status, code: error.code }).toEqual({ status: 504, code: 'first_token_timeout' });
      expect(error.message).toContain('40 ms');
      expect(provider.calls[0].signal.aborted).toBe(true);
      expect(seen).toEqual([{ type: 'timeout', provider: 'p', model: 'm', kind: 'first_token' }]);
      await new Promise((r) => setImmediate(r));
      expect(provider.streamsClosed).toBe(1);
    });

    it('bounds the wait for a first chunk without any setting (RESILIENCE_DEFAULTS: 180 s)', async () => {
      jest.useFakeTimers();
      try {
        const provider = new ScriptedProvider('p');
        const { hub } = hubWith({ p: provider }, (events) => [new TimeoutMiddleware(undefined, events)], { defaultTimeoutMs: 600_000 });
        provider.script = () => ({ hang: true });
        const pending = hubErrorOf(collect(hub.streamComplete(ask())));
        await jest.advanceTimersByTimeAsync(180_000);
        const error = await pending;
        expect({ status: error.status, code: error.code }).toEqual({ status: 504, code: 'first_token_timeout' });
        expect(error.message).toContain('180000 ms');
      } finally {
        jest.useRealTimers();
      }
    });

    it('applies attemptMs to the first chunk of a stream when it is the tighter bound', async () => {
      const { provider, hub, seen } = setup({ attemptMs: 30, firstTokenMs: 5_000 });
      provider.script = () => ({ hang: true });

      const error = await hubErrorOf(collect(hub.streamComplete(ask())));

      expect(error.code).toBe('upstream_timeout');
      expect(seen).toEqual([{ type: 'timeout', provider: 'p', model: 'm', kind: 'attempt' }]);
    });

    it('does not cut off a stream that has started, however long it runs', async () => {
      const { provider, hub, seen } = setup({ attemptMs: 30, firstTokenMs: 30 });
      provider.script = () => ({ chunkDelayMs: 40 });

      const chunks = await collect(hub.streamComplete(ask()));

      expect(textOf(chunks)).toBe('p:m:Hello!');
      expect(chunks[chunks.length - 1].choices[0].finish_reason).toBe('stop');
      expect(provider.calls[0].signal.aborted).toBe(false);
      expect(seen).toEqual([]);
    });

    it('still aborts the upstream when the caller leaves mid-stream', async () => {
      const { provider, hub } = setup({ firstTokenMs: 1_000 });
      provider.script = () => ({ chunkDelayMs: 5_000 });
      const caller = new AbortController();
      const received: ChatCompletionChunk[] = [];

      const error = await hubErrorOf(
        (async () => {
          for await (const chunk of hub.streamComplete(ask(), { signal: caller.signal })) {
            received.push(chunk);
            caller.abort();
          }
        })(),
      );

      expect(error.code).toBe('client_closed_request');
      expect(textOf(received)).toBe('p:m:');
      expect(provider.calls[0].signal.aborted).toBe(true);
    });

    it("reports a caller who left before the first chunk as the caller's error", async () => {
      const { provider, hub, seen } = setup({ firstTokenMs: 5_000 });
      provider.script = () => ({ hang: true });
      const caller = new AbortController();
      setTimeout(() => caller.abort(), 20);

      const error = await hubErrorOf(collect(hub.streamComplete(ask(), { signal: caller.signal })));

      expect(error.code).toBe('client_closed_request');
      expect(provider.calls[0].signal.aborted).toBe(true);
      expect(seen).toEqual([]);
    });

    it('stops the upstream and closes the stream when the consumer stops early', async () => {
      const { provider, hub } = setup({ firstTokenMs: 1_000 });

      for await (const chunk of hub.streamComplete(ask())) {
        expect(chunk.choices[0].delta.content).toBe('p:m:');
        break;
      }

      expect(provider.streamsClosed).toBe(1);
      expect(provider.inFlight).toBe(0);
      expect(provider.calls[0].signal.aborted).toBe(true);
    });

    it('passes a failure before the first chunk through untouched', async () => {
      const { provider, hub, seen } = setup({ firstTokenMs: 1_000 });
      const refused = upstreamHttpError('p', 429, 'slow down', 2);
      provider.script = () => ({ fail: refused });

      await expect(collect(hub.streamComplete(ask()))).rejects.toBe(refused);
      expect(seen).toEqual([]);
    });
  });
});
