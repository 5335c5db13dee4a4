import { HubError, HubErrors } from '@llm-connector-hub/core';
import type { ConnectorHub } from '@llm-connector-hub/hub';
import { CircuitBreakerMiddleware } from './circuit-breaker.middleware';
import { ScriptedProvider, breakerState, collect, gate, http, hubWith, rejectionOf, user } from './circuit-breaker.spec-helpers';
import type { ResilienceEvent } from './resilience-events';
import type { BreakerOptions, ResilienceSettings } from './resilience-options';

/** Breaker options for a test; the rate rule is out of the way unless a test sets it. */
function setup(breaker: Partial<BreakerOptions>, providers: ResilienceSettings['providers'] = undefined) {
  const a = new ScriptedProvider('a');
  const b = new ScriptedProvider('b');
  const settings: ResilienceSettings = {
    defaults: { breaker: { consecutiveFailures: 3, minimumCalls: 1_000, cooldownMs: 15_000, ...breaker } },
    providers,
  };
  const { hub, events } = hubWith({ a, b }, (bus) => [CircuitBreakerMiddleware.fromSettings(settings, bus)]);
  // The breaker's state as its events report it: what metrics and logs see.
  const reported = { stateOf: (provider: string, model: string) => breakerState(events, provider, model) };
  return { hub, events, a, b, breaker: reported };
}

const ask = (hub: ConnectorHub, model = 'a/x') => hub.complete({ model, messages: user });
const askStream = (hub: ConnectorHub, model = 'a/x') => hub.streamComplete({ model, messages: user });
const states = (events: ResilienceEvent[]) => events.flatMap((e) => (e.type === 'breaker_state' ? [`${e.provider}/${e.model}:${e.state}`] : []));
const rejections = (events: ResilienceEvent[]) => events.filter((e) => e.type === 'rejected');

/** Makes `times` calls that fail with upstream 500 (the provider must be scripted to fail). */
async function failTimes(hub: ConnectorHub, times: number, model = 'a/x') {
  for (let i = 0; i < times; i++) expect((await rejectionOf(ask(hub, model))).code).toBe('upstream_error');
}

beforeEach(() => jest.useFakeTimers({ now: Date.UTC(2025, 0, 1) }));
afterEach(() => jest.useRealTimers());

describe('CircuitBreakerMiddleware', () => {
  describe('opening', () => {
    it('opens after N consecutive failures, after which the provider is no longer called', async () => {
      const { hub, a, events, breaker } = setup({ consecutiveFailures: 3 });
      a.script = () => ({ fail: http(500) });
      await failTimes(hub, 2);
      expect(breaker.stateOf('a', 'x')).toBe('closed');
      await failTimes(hub, 1);
      expect(breaker.stateOf('a', 'x')).toBe('open');
      expect(states(events)).toEqual(['a/x:open']);

      for (let i = 0; i < 5; i++) expect((await rejectionOf(ask(hub))).code).toBe('circuit_open');
      expect(a.callsTo('x')).toBe(3);
      expect(rejections(events)).toHaveLength(5);
      expect(rejections(events)[0]).toEqual({ type: 'rejected', provider: 'a', model: 'x', by: 'breaker' });
    });

    it('a success in between starts the count again', async () => {
      const { hub, a, breaker } = setup({ consecutiveFailures: 3 });
      a.script = (_n, { nOfModel: n }) => (n === 3 ? undefined : { fail: http(500) });
      await failTimes(hub, 2);
      expect((await ask(hub)).content).toBe('a:x');
      await failTimes(hub, 2);
      expect(breaker.stateOf('a', 'x')).toBe('closed');
      await failTimes(hub, 1);
      expect(breaker.stateOf('a', 'x')).toBe('open');
    });

    it('opens when the failure rate in the window reaches the threshold with enough calls', async () => {
      const { hub, a, breaker } = setup({ consecutiveFailures: 100, failureRateThreshold: 0.5, minimumCalls: 10, samplingWindowMs: 10_000 });
      a.script = (_n, { nOfModel: n }) => (n % 2 === 0 ? { fail: http(503) } : undefined); // S F S F ...
      for (let n = 1; n <= 9; n++) {
        await (n % 2 === 0 ? rejectionOf(ask(hub)) : ask(hub));
        expect(breaker.stateOf('a', 'x')).toBe('closed'); // 4 of 8 failed is 50%, but fewer than 10 calls
      }
      await rejectionOf(ask(hub)); // 5 of 10
      expect(breaker.stateOf('a', 'x')).toBe('open');
      expect((await rejectionOf(ask(hub))).code).toBe('circuit_open');
      expect(a.callsTo('x')).toBe(10);
    });

    it('takes the documented options: errorThreshold is the failure rate as a percentage, events and per-provider settings beside it', async () => {
      const a = new ScriptedProvider('a');
      const b = new ScriptedProvider('b');
      const providers = { b: { breaker: { failureRateThreshold: 1 } } };
      const { hub, events } = hubWith({ a, b }, (bus) => [
        new CircuitBreakerMiddleware({ errorThreshold: 50, consecutiveFailures: 100, minimumCalls: 4, providers, events: bus }),
      ]);
      a.script = b.script = (n) => (n % 2 === 0 ? { fail: http(503) } : undefined); // S F S F
      for (let n = 1; n <= 4; n++) await (n % 2 === 0 ? rejectionOf(ask(hub)) : ask(hub));
      for (let n = 1; n <= 4; n++) await (n % 2 === 0 ? rejectionOf(ask(hub, 'b/x')) : ask(hub, 'b/x'));
      expect(breakerState(events, 'a', 'x')).toBe('open'); // 2 of 4 failed: 50 %
      expect(breakerState(events, 'b', 'x')).toBe('closed'); // b's own threshold is 100 %
      expect(states(events)).toEqual(['a/x:open']);
      expect(() => new CircuitBreakerMiddleware({ errorThreshold: 150 })).toThrow(/percentage/);
    });

    it('stays closed below the failure rate', async () => {
      const { hub, a, breaker } = setup({ consecutiveFailures: 100, failureRateThreshold: 0.5, minimumCalls: 4, samplingWindowMs: 10_000 });
      a.script = (_n, { nOfModel: n }) => (n % 3 === 0 ? { fail: http(500) } : undefined); // S S F ...
      for (let n = 1; n <= 30; n++) await (n % 3 === 0 ? rejectionOf(ask(hub)) : ask(hub));
      expect(breaker.stateOf('a', 'x')).toBe('closed');
      expect(a.callsTo('x')).toBe(30);
    });

    it('forgets calls older than the sampling window', async () => {
      const { hub, a, breaker } = setup({ consecutiveFailures: 100, failureRateThreshold: 0.4, minimumCalls: 5, samplingWindowMs: 10_000 });
      let failNext = true;
      a.script = () => (failNext ? { fail: http(500) } : undefined);
      await failTimes(hub, 3);
      failNext = false;
      await ask(hub); // 3 of 4 failed, but fewer than 5 calls
      jest.advanceTimersByTime(11_000);
      for (let i = 0; i < 4; i++) await ask(hub);
      failNext = true;
      await failTimes(hub, 1);
      // Window: 1 of 5 failed (20%). Counting the old calls it would be 4 of 9 (44% >= 40%).
      expect(breaker.stateOf('a', 'x')).toBe('closed');
    });

    it.each([400, 401, 403, 404, 422])('does not count upstream %i (a client error) as success or failure', async (status) => {
      const { hub, a, breaker, events } = setup({ consecutiveFailures: 3 });
      a.script = () => ({ fail: http(status) });
      for (let i = 0; i < 10; i++) expect((await rejectionOf(ask(hub))).upstreamStatus).toBe(status);
      expect(breaker.stateOf('a', 'x')).toBe('closed');
      expect(a.callsTo('x')).toBe(10);
      expect(states(events)).toEqual([]);

      // Neither: it does not reset the run of failures either.
      a.script = (_n, { nOfModel: n }) => ({ fail: http(n === 13 ? status : 500) });
      await failTimes(hub, 2);
      await rejectionOf(ask(hub));
      await failTimes(hub, 1);
      expect(breaker.stateOf('a', 'x')).toBe('open');
    });

    it('counts upstream timeouts (408) as failures', async () => {
      const { hub, a, breaker } = setup({ consecutiveFailures: 2 });
      a.script = () => ({ fail: http(408) });
      await rejectionOf(ask(hub));
      await rejectionOf(ask(hub));
      expect(breaker.stateOf('a', 'x')).toBe('open');
    });

    it('does not count a 429 (a quota, not an outage): rate-limited calls never open it, and the next caller still goes upstream', async () => {
      const { hub, a, breaker, events } = setup({ consecutiveFailures: 2, failureRateThreshold: 0.5, minimumCalls: 2 });
      a.script = () => ({ fail: http(429) });
      for (let i = 0; i < 10; i++) expect((await rejectionOf(ask(hub))).upstreamStatus).toBe(429);
      expect(breaker.stateOf('a', 'x')).toBe('closed');
      expect(states(events)).toEqual([]);
      a.script = () => undefined;
      await ask(hub);
      expect(a.callsTo('x')).toBe(11);
    });

    it('does not count answers over the size limits (their size follows from what was asked)', async () => {
      const { hub, a, breaker } = setup({ consecutiveFailures: 1 });
      a.script = () => ({ fail: HubErrors.upstreamResponseTooLarge('a', 1024, 'event') });
      for (let i = 0; i < 3; i++) expect((await rejectionOf(ask(hub))).code).toBe('upstream_response_too_large');
      expect(breaker.stateOf('a', 'x')).toBe('closed');
      expect(a.callsTo('x')).toBe(3);
    });

    it('does not count calls whose caller went away, even when the abort reason is a 5xx HubError', async () => {
      const { hub, a, breaker } = setup({ consecutiveFailures: 1 });
      a.script = () => ({ hang: true });
      const shutdown = new HubError({ status: 503, type: 'api_error', code: 'shutting_down', message: 'The gateway is shutting down.' });
      for (let i = 0; i < 3; i++) {
        const controller = new AbortController();
        const call = hub.complete({ model: 'a/x', messages: user }, { signal: controller.signal });
        await Promise.resolve();
        controller.abort(i === 0 ? shutdown : undefined);
        const error = await rejectionOf(call);
        expect(error.code).toBe(i === 0 ? 'shutting_down' : 'client_closed_request');
      }
      expect(breaker.stateOf('a', 'x')).toBe('closed');
      expect(a.callsTo('x')).toBe(3);
    });
  });

  describe('while open', () => {
    it('fails fast with 503 circuit_open and the remaining cooldown as Retry-After', async () => {
      const { hub, a } = setup({ consecutiveFailures: 1, cooldownMs: 15_000 });
      a.script = () => ({ fail: http(500) });
      await failTimes(hub, 1);
      jest.advanceTimersByTime(4_500);
      const error = await rejectionOf(ask(hub));
      expect(error).toBeInstanceOf(HubError);
      expect({ status: error.status, code: error.code, provider: error.provider, retryAfterSeconds: error.retryAfterSeconds }).toEqual({
        status: 503,
        code: 'circuit_open',
        provider: 'a',
        retryAfterSeconds: 11,
      });
      expect(error.message).toContain('a/x');
      jest.advanceTimersByTime(10_499);
      expect((await rejectionOf(ask(hub))).retryAfterSeconds).toBe(1);
      expect(a.callsTo('x')).toBe(1);
    });
  });

  describe('half-open', () => {
    async function openBreaker(consecutiveFailures = 2) {
      const env = setup({ consecutiveFailures, cooldownMs: 10_000 });
      env.a.script = () => ({ fail: http(500) });
      await failTimes(env.hub, consecutiveFailures);
      expect(env.breaker.stateOf('a', 'x')).toBe('open');
      return env;
    }

    it('lets exactly one probe through after the cooldown (others fail fast) and closes on its success', async () => {
      const { hub, a, breaker, events } = await openBreaker(2);
      jest.advanceTimersByTime(9_999);
      expect((await rejectionOf(ask(hub))).code).toBe('circuit_open');
      jest.advanceTimersByTime(1);

      const held = gate();
      a.script = () => ({ until: held.promise });
      const probe = ask(hub);
      expect(breaker.stateOf('a', 'x')).toBe('half_open');
      const others = await Promise.all([rejectionOf(ask(hub)), rejectionOf(ask(hub))]);
      expect(others.map((e) => [e.code, e.retryAfterSeconds])).toEqual([
        ['circuit_open', 1],
        ['circuit_open', 1],
      ]);
      expect(a.callsTo('x')).toBe(3); // two failures + the probe

      held.open();
      expect((await probe).content).toBe('a:x');
      expect(breaker.stateOf('a', 'x')).toBe('closed');
      expect((await ask(hub)).content).toBe('a:x');
      expect(states(events)).toEqual(['a/x:open', 'a/x:half_open', 'a/x:closed']);
    });

    it('re-opens for a full cooldown when the probe fails', async () => {
      const { hub, a, breaker, events } = await openBreaker(3);
      jest.advanceTimersByTime(10_000);
      expect((await rejectionOf(ask(hub))).code).toBe('upstream_error');
      expect(breaker.stateOf('a', 'x')).toBe('open');
      expect((await rejectionOf(ask(hub))).retryAfterSeconds).toBe(10);
      expect(a.callsTo('x')).toBe(4);
      expect(states(events)).toEqual(['a/x:open', 'a/x:half_open', 'a/x:open']);

      a.script = () => undefined;
      jest.advanceTimersByTime(10_000);
      await ask(hub);
      expect(states(events)).toEqual(['a/x:open', 'a/x:half_open', 'a/x:open', 'a/x:half_open', 'a/x:closed']);
      // Closed from a clean slate: it takes the full run of failures to open again.
      a.script = () => ({ fail: http(500) });
      await failTimes(hub, 2);
      expect(breaker.stateOf('a', 'x')).toBe('closed');
    });

    it('a probe answered with a client error neither closes nor re-opens it: the next call probes again', async () => {
      const { hub, a, breaker, events } = await openBreaker(3);
      jest.advanceTimersByTime(10_000);
      a.script = () => ({ fail: http(400) });
      expect((await rejectionOf(ask(hub))).code).toBe('upstream_invalid_request');
      expect(breaker.stateOf('a', 'x')).toBe('half_open');

      // Still a probe, not a closed circuit: one failure re-opens it (closed would need three).
      a.script = () => ({ fail: http(500) });
      expect((await rejectionOf(ask(hub))).code).toBe('upstream_error');
      expect(breaker.stateOf('a', 'x')).toBe('open');
      expect(a.callsTo('x')).toBe(5);
      expect(states(events)).toEqual(['a/x:open', 'a/x:half_open', 'a/x:open']);
    });

    it('only the probe is let through after a probe that told nothing', async () => {
      const { hub, a, breaker } = await openBreaker(2);
      jest.advanceTimersByTime(10_000);
      a.script = () => ({ fail: http(404) });
      await rejectionOf(ask(hub));
      const held = gate();
      a.script = () => ({ until: held.promise });
      const probe = ask(hub);
      expect((await rejectionOf(ask(hub))).code).toBe('circuit_open');
      held.open();
      await probe;
      expect(breaker.stateOf('a', 'x')).toBe('closed');
      expect(a.callsTo('x')).toBe(4);
    });
  });

  describe('streams', () => {
    it('counts a stream failing before its first chunk, and fails fast on the first next() when open', async () => {
      const { hub, a, breaker } = setup({ consecutiveFailures: 2 });
      a.script = () => ({ fail: http(502) });
      for (let i = 0; i < 2; i++) expect((await rejectionOf(collect(askStream(hub)))).code).toBe('upstream_error');
      expect(breaker.stateOf('a', 'x')).toBe('open');
      const stream = askStream(hub);
      expect((await rejectionOf(stream.next())).code).toBe('circuit_open');
      expect(a.callsTo('x')).toBe(2);
    });

    it('counts a stream failing after its first chunk', async () => {
      const { hub, a, breaker } = setup({ consecutiveFailures: 2 });
      a.script = () => ({ fail: http(500), afterChunks: 1 });
      for (let i = 0; i < 2; i++) {
        const received: string[] = [];
        const error = await rejectionOf(
          (async () => {
            for await (const chunk of askStream(hub)) received.push(chunk.content ?? '');
          })(),
        );
        expect(received).toEqual(['a:x:']);
        expect(error.code).toBe('upstream_error');
      }
      expect(breaker.stateOf('a', 'x')).toBe('open');
    });

    it('counts a completed stream as a success', async () => {
      const { hub, a, breaker } = setup({ consecutiveFailures: 2 });
      a.script = (_n, { nOfModel: n }) => (n === 2 ? undefined : { fail: http(500) });
      await rejectionOf(collect(askStream(hub)));
      expect((await collect(askStream(hub))).map((c) => c.content).join('')).toBe('a:x:Hello!');
      await rejectionOf(collect(askStream(hub)));
      expect(breaker.stateOf('a', 'x')).toBe('closed');
    });

    it('counts a stream the consumer stopped early as neither success nor failure', async () => {
      const { hub, a, breaker } = setup({ consecutiveFailures: 2 });
      const stopEarly = async () => {
        for await (const chunk of askStream(hub)) {
          expect(chunk.content).toBe('a:x:');
          break;
        }
      };
      await stopEarly();
      await stopEarly();
      expect(breaker.stateOf('a', 'x')).toBe('closed'); // not failures
      expect(a.streamsClosed).toBe(2); // and the upstream streams were closed

      a.script = (_n, { nOfModel: n }) => (n === 4 ? undefined : { fail: http(500) });
      await rejectionOf(collect(askStream(hub)));
      await stopEarly(); // not a success either
      await rejectionOf(collect(askStream(hub)));
      expect(breaker.stateOf('a', 'x')).toBe('open');
    });

    it('a half-open stream probe closes the circuit when it completes, and stays half-open when stopped early', async () => {
      const { hub, a, breaker } = setup({ consecutiveFailures: 1, cooldownMs: 5_000 });
      a.script = () => ({ fail: http(500) });
      await rejectionOf(collect(askStream(hub)));
      jest.advanceTimersByTime(5_000);
      a.script = () => undefined;

      const probe = askStream(hub);
      expect((await probe.next()).value?.content).toBe('a:x:');
      expect(breaker.stateOf('a', 'x')).toBe('half_open');
      expect((await rejectionOf(collect(askStream(hub)))).code).toBe('circuit_open');
      await probe.return!(undefined);
      expect(breaker.stateOf('a', 'x')).toBe('half_open');

      expect((await collect(askStream(hub))).map((c) => c.content).join('')).toBe('a:x:Hello!');
      expect(breaker.stateOf('a', 'x')).toBe('closed');
    });
  });

  describe('scope', () => {
    it('keeps one breaker per provider+model', async () => {
      const { hub, a, b, breaker, events } = setup({ consecutiveFailures: 2 });
      a.script = (_n, { model }) => (model === 'x' ? { fail: http(500) } : undefined);
      b.script = () => undefined;
      await failTimes(hub, 2, 'a/x');
      expect((await rejectionOf(ask(hub, 'a/x'))).code).toBe('circuit_open');
      expect((await ask(hub, 'a/y')).content).toBe('a:y');
      expect((await ask(hub, 'b/x')).content).toBe('b:x');
      expect([breaker.stateOf('a', 'x'), breaker.stateOf('a', 'y'), breaker.stateOf('b', 'x')]).toEqual(['open', 'closed', 'closed']);
      expect(states(events)).toEqual(['a/x:open']);
    });

    it('applies per-model breaker settings', async () => {
      const { hub, a, breaker } = setup({ consecutiveFailures: 3 }, { a: { models: { y: { breaker: { consecutiveFailures: 1 } } } } });
      a.script = () => ({ fail: http(500) });
      await failTimes(hub, 1, 'a/y');
      await failTimes(hub, 1, 'a/x');
      expect(breaker.stateOf('a', 'y')).toBe('open');
      expect(breaker.stateOf('a', 'x')).toBe('closed');
    });

    it('guards embeddings too', async () => {
      const { hub, a, breaker } = setup({ consecutiveFailures: 2 });
      a.script = () => ({ fail: http(500) });
      for (let i = 0; i < 2; i++) await rejectionOf(hub.embed({ model: 'a/e', input: 'x' }));
      expect((await rejectionOf(hub.embed({ model: 'a/e', input: 'x' }))).code).toBe('circuit_open');
      expect(a.callsTo('e')).toBe(2);
      expect(breaker.stateOf('a', 'e')).toBe('open');
    });

    it('keeps at most maxBreakers breakers, dropping closed ones first', async () => {
      const a = new ScriptedProvider('a');
      const settings: ResilienceSettings = { defaults: { breaker: { consecutiveFailures: 2 } } };
      const { hub } = hubWith({ a }, (bus) => [CircuitBreakerMiddleware.fromSettings(settings, bus, { maxBreakers: 3 })]);
      a.script = (_n, { model }) => (model === 'bad' || model === 'm1' ? { fail: http(500) } : undefined);
      for (let i = 0; i < 2; i++) await rejectionOf(ask(hub, 'a/bad'));
      expect((await rejectionOf(ask(hub, 'a/m1'))).code).toBe('upstream_error');
      // A fourth breaker (m3) drops the oldest closed one, m1, and its failure with it.
      for (const model of ['m2', 'm3']) await ask(hub, `a/${model}`);
      expect((await rejectionOf(ask(hub, 'a/m1'))).code).toBe('upstream_error');
      expect((await rejectionOf(ask(hub, 'a/m1'))).code).toBe('upstream_error');
      // The open one was kept all along: still failing fast.
      expect((await rejectionOf(ask(hub, 'a/bad'))).code).toBe('circuit_open');
      expect(a.callsTo('bad')).toBe(2);
    });
  });
});
