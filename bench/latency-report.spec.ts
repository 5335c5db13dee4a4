import { latencyDirective, planCases, protocolFor, type LatencyCase, type LatencyResults } from './latency';
import type { LatencyRun } from './latency-load';
import { formatLatency, latencyTargets } from './latency-report';

const run = (target: string, reqPerSec: number, errors = 0, rssMiB = 100): LatencyRun => ({
  target,
  inFlight: 0,
  durationS: 10,
  reqPerSec,
  responses: reqPerSec * 10,
  latencyMs: { count: 1, mean: 1, p50: 500, p90: 500, p99: 600, max: 700 },
  statusCodes: { '200': reqPerSec * 10 },
  transportErrors: {},
  errors,
  firstProblem: errors > 0 ? 'ECONNRESET' : null,
  elapsedS: 13,
  cpuS: { [target]: 1, machine: 3, bench: 1, fake: 1 },
  peaks: { [target]: { rssMiB, fds: 100 } },
});

const kase = (inFlight: number, kind: 'json' | 'stream', floor: LatencyRun, gateway: LatencyRun, protocol: 'http/1.1' | 'h2' = 'http/1.1'): LatencyCase => ({
  latencyMs: 500,
  inFlight,
  kind,
  protocol,
  directive: latencyDirective(kind, 500),
  floor,
  gateway,
  ratio: gateway.reqPerSec / floor.reqPerSec,
});

describe('section 7 (realistic latency)', () => {
  it('plans HTTP/1.1 where a client and an upstream socket per call fit under the open-file limit, HTTP/2 beyond, and HTTP/2 at the lowest count too', () => {
    expect(protocolFor(2000, 20_000)).toBe('http/1.1');
    expect(protocolFor(10_000, 20_000)).toBe('h2');
    expect(protocolFor(10_000, null)).toBe('http/1.1');
    const cases = planCases({ latenciesMs: [500, 5000], inFlight: [2000, 10_000], warmupS: 2, durationS: 10 }, 20_000);
    expect(cases.filter((c) => c.inFlight === 2000 && c.protocol === 'http/1.1')).toHaveLength(4);
    expect(cases.filter((c) => c.inFlight === 2000 && c.protocol === 'h2').map((c) => c.latencyMs)).toEqual([500, 500]);
    expect(cases.filter((c) => c.inFlight === 10_000).every((c) => c.protocol === 'h2')).toBe(true);
  });

  it('spreads a stream over the latency: a fifth before the first chunk, the rest between events', () => {
    expect(latencyDirective('json', 5000)).toBe('[[fake latency=5000]]');
    expect(latencyDirective('stream', 5000)).toBe('[[fake latency=1000 chunks=20 chunk-delay=182]]');
  });

  it('passes the throughput target at 90 % of the floor without errors, and the RSS target under 512 MiB with 10,000 streams', () => {
    const results: LatencyResults = {
      settings: { latenciesMs: [500], inFlight: [2000, 10_000], warmupS: 2, durationS: 10 },
      openFileLimit: 20_000,
      cases: [
        kase(2000, 'json', run('floor', 1000), run('gateway', 950)),
        kase(2000, 'stream', run('floor', 1000), run('gateway', 950, 3)),
        kase(2000, 'json', run('floor', 1000), run('gateway', 800), 'h2'),
        kase(10_000, 'stream', run('floor', 1000), run('gateway', 900, 0, 600), 'h2'),
      ],
    };
    expect(latencyTargets(results).map((t) => [t.name, t.pass])).toEqual([
      ['gateway/floor req/s, 2000 in flight, 500 ms, json, http/1.1, 0 errors', true],
      ['gateway/floor req/s, 2000 in flight, 500 ms, stream, http/1.1, 0 errors', false],
      ['gateway peak RSS, 10000 streams in flight, 500 ms, stream, h2', false],
    ]);
    const text = formatLatency(results);
    expect(text).toContain('7. Realistic latency');
    expect(text).toContain('gateway (2000 in flight, 500 ms, stream, http/1.1): statuses');
  });
});
