import { HubErrors, upstreamHttpError, type ChatRequest } from '@llm-connector-hub/core';
import type { AliasSpec, ConnectorHub, HubCallMeta, HubContext, HubMiddleware } from '@llm-connector-hub/hub';
import { CircuitBreakerMiddleware } from './circuit-breaker.middleware';
import { ScriptedProvider, breakerState, collect, http, hubWith, rejectionOf, seededRandom, user } from './circuit-breaker.spec-helpers';
import { FallbackMiddleware } from './fallback.middleware';
import { ResilienceErrors } from './resilience-errors';
import { ResilienceEvents, type ResilienceEvent } from './resilience-events';

function setup(aliases: Record<string, AliasSpec>, options: { random?: () => number; inner?: (events: ResilienceEvents) => HubMiddleware[] } = {}) {
  const a = new ScriptedProvider('a');
  const b = new ScriptedProvider('b');
  const c = new ScriptedProvider('c');
  const { hub, events } = hubWith({ a, b, c }, (bus) => [new FallbackMiddleware(undefined, bus, { random: options.random }), ...(options.inner?.(bus) ?? [])], {
    aliases,
  });
  return { hub, events, a, b, c };
}

const ask = (hub: ConnectorHub, model = 'fast', meta: HubCallMeta = {}) => hub.complete({ model, messages: user }, { meta });
const askStream = (hub: ConnectorHub, model = 'fast') => hub.streamComplete({ model, messages: user });
const hops = (events: ResilienceEvent[]) =>
  events.flatMap((e) => (e.type === 'fallback' ? [`${e.fromProvider}/${e.fromModel}->${e.toProvider}/${e.toModel} (${e.reason})`] : []));

describe('FallbackMiddleware', () => {
  describe('complete', () => {
    it('serves from the second target when the first answers 500, and says so in meta and events', async () => {
      const { hub, events, a, b } = setup({ fast: ['a/x', 'b/y'] });
      a.script = () => ({ fail: http(500, 'a') });
      const meta: HubCallMeta = {};
      expect((await ask(hub, 'fast', meta)).content).toBe('b:y');
      expect(meta).toMatchObject({ provider: 'b', model: 'y', target: 'b/y', attempts: 2 });
      expect(hops(events)).toEqual(['a/x->b/y (upstream_error)']);
      expect([a.callsTo(), b.callsTo()]).toEqual([1, 1]);
    });

    it.each([
      ['429', http(429)],
      ['503', http(503)],
      ['an upstream timeout', HubErrors.upstreamTimeout('a', 1000)],
      ['an attempt timeout', ResilienceErrors.attemptTimeout('a', 1000)],
      ['a connection error', HubErrors.upstreamConnection('a', new Error('ECONNREFUSED'))],
      ['an open breaker', ResilienceErrors.circuitOpen('a', 'x', 5)],
      ['a full bulkhead', ResilienceErrors.bulkheadFull('a')],
      ['a spent quota (another target has its own)', upstreamHttpError('a', 429, 'You exceeded your current quota', undefined, 'quota_exceeded')],
    ])('falls back on %s', async (_name, error) => {
      const { hub, events, a } = setup({ fast: ['a/x', 'b/y'] });
      a.script = () => ({ fail: error });
      expect((await ask(hub)).content).toBe('b:y');
      expect(hops(events)).toEqual([`a/x->b/y (${error.code})`]);
    });

    it.each([
      ['400', http(400)],
      ['401', http(401)],
      ['403', http(403)],
      ['404', http(404)],
      ['422', http(422)],
      ['a request the gateway refuses', HubErrors.invalidRequest('bad')],
      ['an answer over the size limits', HubErrors.upstreamResponseTooLarge('a', 1024, 'answer')],
      ['a plain Error (a bug, not an upstream failure)', new Error('bug')],
    ])('does not fall back on %s', async (_name, error) => {
      const { hub, events, a, b } = setup({ fast: ['a/x', 'b/y'] });
      a.script = () => ({ fail: error });
      expect(await rejectionOf(ask(hub))).toBe(error);
      expect(b.callsTo()).toBe(0);
      expect(events).toEqual([]);
    });

    it("throws the last target's error when every target fails", async () => {
      const { hub, events, a, b, c } = setup({ fast: ['a/x', 'b/y', 'c/z'] });
      a.script = () => ({ fail: http(500) });
      b.script = () => ({ fail: HubErrors.upstreamTimeout('b', 100) });
      const last = http(429, 'c');
      c.script = () => ({ fail: last });
      expect(await rejectionOf(ask(hub))).toBe(last);
      expect(hops(events)).toEqual(['a/x->b/y (upstream_error)', 'b/y->c/z (upstream_timeout)']);
    });

    it('stops at a non-retryable error part-way through', async () => {
      const { hub, a, b, c } = setup({ fast: ['a/x', 'b/y', 'c/z'] });
      a.script = () => ({ fail: http(502) });
      b.script = () => ({ fail: http(400) });
      expect((await rejectionOf(ask(hub))).upstreamStatus).toBe(400);
      expect(c.callsTo()).toBe(0);
    });

    it('falls back past an open breaker without calling its provider', async () => {
      const { hub, events, a } = setup(
        { fast: ['a/x', 'b/y'] },
        { inner: (bus) => [new CircuitBreakerMiddleware({ consecutiveFailures: 2, events: bus })] },
      );
      a.script = () => ({ fail: http(500) });
      for (let i = 0; i < 2; i++) expect((await ask(hub)).content).toBe('b:y');
      expect(breakerState(events, 'a', 'x')).toBe('open');

      const meta: HubCallMeta = {};
      expect((await ask(hub, 'fast', meta)).content).toBe('b:y');
      expect(a.callsTo()).toBe(2);
      expect(meta.attempts).toBe(1);
      expect(hops(events).at(-1)).toBe('a/x->b/y (circuit_open)');
    });

    it("does not fall back once the call's deadline has passed", async () => {
      const { hub, events, a, b } = setup({ fast: ['a/x', 'b/y'] });
      a.script = () => ({ hang: true });
      const error = await rejectionOf(hub.complete({ model: 'fast', messages: user, timeout: 20 }));
      expect(error.code).toBe('upstream_timeout'); // retryable, but there is no time left
      expect(b.callsTo()).toBe(0);
      expect(events).toEqual([]);
    });

    it('does not fall back when the caller has gone', async () => {
      const { hub, a, b } = setup({ fast: ['a/x', 'b/y'] });
      const controller = new AbortController();
      const reason = ResilienceErrors.attemptTimeout('a', 1); // even with a retryable abort reason
      a.script = () => ({ hang: true });
      const call = hub.complete({ model: 'fast', messages: user }, { signal: controller.signal });
      await Promise.resolve();
      controller.abort(reason);
      expect(await rejectionOf(call)).toBe(reason);
      expect(b.callsTo()).toBe(0);
    });

    it('gives each target a fresh copy of the original request and the call signal', async () => {
      const seen: Array<{ provider: string; request: ChatRequest; aborted: boolean }> = [];
      // Records what each target is handed (a copy of it, as the meddler then changes it).
      // Stands in for inner layers that rewrite the request or the signal for their attempt.
      const meddler: HubMiddleware = {
        name: 'meddler',
        async complete(context: HubContext, next) {
          seen.push({ provider: context.provider, request: { ...context.request }, aborted: context.signal.aborted });
          context.request.temperature = 0.1;
          context.request = { ...context.request, messages: [], max_tokens: 1 };
          context.signal = AbortSignal.abort();
          return next(context);
        },
      };
      const { hub, a, b } = setup({ fast: ['a/x', 'b/y'] }, { inner: () => [meddler] });
      a.script = () => ({ fail: http(500) });
      await hub.complete({ model: 'fast', messages: user, temperature: 1 });
      expect(seen.map((s) => [s.provider, s.request.model, s.request.temperature, s.request.messages, s.aborted])).toEqual([
        ['a', 'x', 1, user, false],
        ['b', 'y', 1, user, false],
      ]);
      expect(b.calls[0].request).toMatchObject({ model: 'y', max_tokens: 1 });
    });
  });

  describe('streams', () => {
    it('falls back when a stream fails before its first chunk', async () => {
      const { hub, events, a } = setup({ fast: ['a/x', 'b/y'] });
      a.script = () => ({ fail: http(503) });
      const chunks = await collect(askStream(hub));
      expect(chunks.map((c) => c.content).join('')).toBe('b:y:Hello!');
      expect(hops(events)).toEqual(['a/x->b/y (upstream_error)']);
    });

    it('does not fall back once a chunk has been passed on', async () => {
      const { hub, events, a, b } = setup({ fast: ['a/x', 'b/y'] });
      const cut = HubErrors.streamInterrupted('a', 'connection reset'); // retryable before the first chunk
      a.script = () => ({ fail: cut, afterChunks: 1 });
      const received: string[] = [];
      const error = await rejectionOf(
        (async () => {
          for await (const chunk of askStream(hub)) received.push(chunk.content ?? '');
        })(),
      );
      expect(error).toBe(cut);
      expect(received).toEqual(['a:x:']);
      expect(b.callsTo()).toBe(0);
      expect(events).toEqual([]);
    });

    it('closes the serving upstream stream when the consumer stops early', async () => {
      const { hub, a, b } = setup({ fast: ['a/x', 'b/y'] });
      a.script = () => ({ fail: http(500) });
      for await (const chunk of askStream(hub)) {
        expect(chunk.content).toBe('b:y:');
        break;
      }
      expect([a.streamsClosed, b.streamsClosed]).toEqual([1, 1]);
    });

    it('does not fall back on a non-retryable stream failure', async () => {
      const { hub, a, b } = setup({ fast: ['a/x', 'b/y'] });
      a.script = () => ({ fail: http(401) });
      expect((await rejectionOf(collect(askStream(hub)))).upstreamStatus).toBe(401);
      expect(b.callsTo()).toBe(0);
    });
  });

  describe('order', () => {
    it('tries lower priorities first, weighted-random within a priority', async () => {
      const aliases: Record<string, AliasSpec> = {
        fast: [
          { target: 'a/x', priority: 1, weight: 100 },
          { target: 'b/y', priority: 0, weight: 1 },
          { target: 'c/z', priority: 0, weight: 1 },
        ],
      };
      for (const [random, order] of [
        [0, ['b/y', 'c/z', 'a/x']],
        [0.99, ['c/z', 'b/y', 'a/x']],
      ] as const) {
        const { hub, a, b, c } = setup(aliases, { random: () => random });
        const log: string[] = [];
        for (const p of [a, b, c]) p.script = (_n, { model }) => (log.push(`${p.name}/${model}`), { fail: http(500) });
        await rejectionOf(ask(hub));
        expect(log).toEqual(order);
      }
    });

    it('spreads first choices by weight (10,000 calls through the hub)', async () => {
      const { hub } = setup({ fast: [{ target: 'a/x', weight: 1, priority: 0 }, { target: 'b/y', weight: 3, priority: 0 }] }, { random: seededRandom(42) });
      const served = { a: 0, b: 0 };
      for (let i = 0; i < 10_000; i++) {
        const meta: HubCallMeta = {};
        await ask(hub, 'fast', meta);
        served[meta.provider as 'a' | 'b'] += 1;
      }
      expect(served.a / 10_000).toBeCloseTo(0.25, 1);
      expect(Math.abs(served.a / 10_000 - 0.25)).toBeLessThan(0.02);
    });

    it('passes a single-target call straight through, untouched', () => {
      const middleware = new FallbackMiddleware(undefined, new ResilienceEvents());
      const request = { model: 'x', messages: user };
      const context = { provider: 'a', targets: [{ provider: 'a', model: 'x', priority: 0, weight: 1 }], request } as unknown as HubContext;
      const answer = Promise.resolve({} as never);
      const stream = Promise.resolve({} as never);
      expect(middleware.complete(context, () => answer)).toBe(answer);
      expect(middleware.stream(context, () => stream)).toBe(stream);
      expect(context.request).toBe(request);
    });
  });

  describe('embeddings', () => {
    it('never fall back: another model embeds into another vector space', async () => {
      expect((new FallbackMiddleware(undefined, new ResilienceEvents()) as HubMiddleware).embed).toBeUndefined();
      const { hub, events, a, b } = setup({ vectors: ['a/e1', 'b/e2'] });
      a.script = () => ({ fail: http(500) });
      expect((await rejectionOf(hub.embed({ model: 'vectors', input: 'x' }))).upstreamStatus).toBe(500);
      expect(b.callsTo()).toBe(0);
      expect(events).toEqual([]);
    });
  });
});
