import { HubErrors } from '@llm-connector-hub/core';
import { Bulkhead } from './bulkhead';
import { BulkheadMiddleware } from './bulkhead.middleware';
import type { BulkheadOptions, ResilienceSettings } from './resilience-options';
import { ask, collect, gate, hubErrorOf, hubWith, textOf, ScriptedProvider } from './retry.spec-helpers';

function setup(bulkhead: Partial<BulkheadOptions>, names = ['p']) {
  const providers = Object.fromEntries(names.map((name) => [name, new ScriptedProvider(name)]));
  const settings: ResilienceSettings = { defaults: { bulkhead } };
  const { hub, seen } = hubWith(providers, (events) => [new BulkheadMiddleware(settings, events)]);
  return { providers, provider: providers[names[0]], hub, seen };
}

/** Lets pending promise callbacks run (slots handed over, queued calls started). */
const settle = () => new Promise((r) => setImmediate(r));

describe('BulkheadMiddleware', () => {
  it('runs at most maxConcurrent calls at once and queues the rest in order', async () => {
    const { provider, hub } = setup({ maxConcurrent: 2, maxQueue: 10 });
    provider.script = () => ({ delayMs: 15 });

    const results = await Promise.all(Array.from({ length: 7 }, () => hub.complete(ask())));

    expect(results).toHaveLength(7);
    expect(provider.maxInFlight).toBe(2);
    expect(provider.calls).toHaveLength(7);
  });

  it('rejects calls beyond the queue with 429 gateway_overloaded and Retry-After 1, without calling upstream', async () => {
    const { provider, hub, seen } = setup({ maxConcurrent: 1, maxQueue: 1 });
    const release = gate();
    provider.script = () => ({ until: release.promise });

    const running = hub.complete(ask());
    const queued = hub.complete(ask());
    const error = await hubErrorOf(hub.complete(ask()));

    expect({ status: error.status, code: error.code, retryAfterSeconds: error.retryAfterSeconds }).toEqual({
      status: 429,
      code: 'gateway_overloaded',
      retryAfterSeconds: 1,
    });
    expect(seen.filter((e) => e.type === 'rejected')).toEqual([{ type: 'rejected', provider: 'p', model: 'm', by: 'bulkhead' }]);
    await settle();
    expect(provider.calls).toHaveLength(1);

    release.open();
    await Promise.all([running, queued]);
    expect(provider.calls).toHaveLength(2);
    expect(provider.maxInFlight).toBe(1);
  });

  it('has no queue with maxQueue 0', async () => {
    const { provider, hub } = setup({ maxConcurrent: 1, maxQueue: 0 });
    const release = gate();
    provider.script = () => ({ until: release.promise });

    const running = hub.complete(ask());
    expect((await hubErrorOf(hub.complete(ask()))).status).toBe(429);
    release.open();
    await running;
    await hub.complete(ask());
  });

  it('frees the slot when a call fails', async () => {
    const { provider, hub } = setup({ maxConcurrent: 1, maxQueue: 0 });
    provider.script = (n) => (n === 1 ? { fail: HubErrors.upstreamConnection('p', 'refused') } : undefined);

    await hubErrorOf(hub.complete(ask()));
    await hub.complete(ask());

    expect(provider.calls).toHaveLength(2);
  });

  it('lets a queued call whose caller leaves give up its place at once', async () => {
    const { provider, hub, seen } = setup({ maxConcurrent: 1, maxQueue: 1 });
    const release = gate();
    provider.script = () => ({ until: release.promise });
    const running = hub.complete(ask('p', 'first'));
    const caller = new AbortController();
    const leaving = hub.complete(ask('p', 'leaves'), { signal: caller.signal });
    await settle();

    caller.abort();
    const error = await hubErrorOf(leaving);
    expect({ status: error.status, code: error.code }).toEqual({ status: 499, code: 'client_closed_request' });

    // Its queue place is free again: the next call queues instead of being rejected.
    const next = hub.complete(ask('p', 'next'));
    release.open();
    await Promise.all([running, next]);
    expect(provider.calls).toHaveLength(2);
    expect(seen.filter((e) => e.type === 'rejected')).toEqual([]);
  });

  it('rejects a queued call when the total timeout passes while it waits', async () => {
    const { provider, hub } = setup({ maxConcurrent: 1, maxQueue: 1 });
    const release = gate();
    provider.script = () => ({ until: release.promise });
    const running = hub.complete(ask());

    const error = await hubErrorOf(hub.complete({ ...ask(), timeout: 30 }));

    expect(error.code).toBe('upstream_timeout');
    release.open();
    await running;
    expect(provider.calls).toHaveLength(1);
  });

  it('reports executing and queued counts as they change', async () => {
    const { provider, hub, seen } = setup({ maxConcurrent: 1, maxQueue: 2 });
    const release = gate();
    provider.script = (n) => (n === 1 ? { until: release.promise } : undefined);

    const calls = [hub.complete(ask()), hub.complete(ask())];
    await settle();
    release.open();
    await Promise.all(calls);

    const counts = seen.flatMap((e) => (e.type === 'bulkhead_queue' ? [[e.executing, e.queued]] : []));
    expect(counts).toEqual([
      [1, 0], // first call starts
      [1, 1], // second waits
      [1, 0], // first ends, hands its slot to the second
      [0, 0], // second ends
    ]);
    expect(seen.every((e) => e.type !== 'bulkhead_queue' || e.provider === 'p')).toBe(true);
  });

  it('keeps a bulkhead per provider', async () => {
    const { providers, hub } = setup({ maxConcurrent: 1, maxQueue: 0 }, ['a', 'b']);
    const release = gate();
    providers.a.script = () => ({ until: release.promise });

    const running = hub.complete(ask('a'));
    await hub.complete(ask('b'));
    expect((await hubErrorOf(hub.complete(ask('a')))).status).toBe(429);

    release.open();
    await running;
  });

  describe('streams', () => {
    it('holds the slot until the stream has been read to its end', async () => {
      const { provider, hub } = setup({ maxConcurrent: 1, maxQueue: 0 });
      const stream = hub.streamComplete(ask())[Symbol.asyncIterator]();

      const first = await stream.next();
      expect(first.value?.choices[0].delta.content).toBe('p:m:');
      expect((await hubErrorOf(hub.complete(ask()))).status).toBe(429);

      while (!(await stream.next()).done);
      await hub.complete(ask());
      expect(provider.calls.map((c) => c.kind)).toEqual(['stream', 'complete']);
    });

    it('releases the slot when the consumer stops early', async () => {
      const { provider, hub } = setup({ maxConcurrent: 1, maxQueue: 0 });

      for await (const chunk of hub.streamComplete(ask())) {
        expect(textOf([chunk])).toBe('p:m:');
        break;
      }

      expect(provider.streamsClosed).toBe(1);
      await hub.complete(ask());
    });

    it('releases the slot when the stream fails mid-way', async () => {
      const { provider, hub } = setup({ maxConcurrent: 1, maxQueue: 0 });
      provider.script = (n) => (n === 1 ? { fail: HubErrors.streamInterrupted('p', 'reset'), afterChunks: 2 } : undefined);

      expect((await hubErrorOf(collect(hub.streamComplete(ask())))).code).toBe('upstream_stream_interrupted');

      expect(textOf(await collect(hub.streamComplete(ask())))).toBe('p:m:Hello!');
    });

    it('queues a stream and starts it when a slot frees', async () => {
      const { provider, hub } = setup({ maxConcurrent: 1, maxQueue: 1 });
      const release = gate();
      provider.script = (n) => (n === 1 ? { until: release.promise } : undefined);

      const running = hub.complete(ask());
      const streamed = collect(hub.streamComplete(ask()));
      await settle();
      expect(provider.calls).toHaveLength(1);

      release.open();
      await running;
      expect(textOf(await streamed)).toBe('p:m:Hello!');
    });

    it('takes no slot before the first next()', async () => {
      const { provider, hub } = setup({ maxConcurrent: 1, maxQueue: 0 });
      const idle = hub.streamComplete(ask());
      await hub.complete(ask());
      expect(textOf(await collect(idle))).toBe('p:m:Hello!');
      expect(provider.calls).toHaveLength(2);
    });
  });

  it('passes calls straight through when maxConcurrent is unlimited', async () => {
    const { provider, hub, seen } = setup({ maxConcurrent: Infinity, maxQueue: 0 });
    provider.script = () => ({ delayMs: 10 });

    await Promise.all(Array.from({ length: 5 }, () => hub.complete(ask())));

    expect(provider.maxInFlight).toBe(5);
    expect(seen).toEqual([]);
  });
});

describe('Bulkhead', () => {
  it('gives a slot back only once, however often release is called', () => {
    const bulkhead = new Bulkhead(1, 0);
    const release = bulkhead.acquire(new AbortController().signal);
    expect(typeof release).toBe('function');
    (release as () => void)();
    (release as () => void)();
    expect(bulkhead.executingCount).toBe(0);
    expect(typeof bulkhead.acquire(new AbortController().signal)).toBe('function');
    expect(bulkhead.acquire(new AbortController().signal)).toBeUndefined();
  });

  it('rejects at once for a signal that has already aborted', async () => {
    const bulkhead = new Bulkhead(1, 1);
    const reason = new Error('gone');
    await expect(bulkhead.acquire(AbortSignal.abort(reason))).rejects.toBe(reason);
    expect(bulkhead.executingCount).toBe(0);
  });
});
