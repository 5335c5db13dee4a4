import { abCost, formatAbCost, gatewayCpuUsPerRequest, median, runOrder } from './ab-report';
import { abRun } from './ab-report.spec-helpers';
import type { LoadResult } from './load';

const settings = { connections: 50, durationS: 10, nodeArgs: ['--no-allocation-site-pretenuring'] };

describe('A/B cost', () => {
  it('alternates off/on and flips the order every round', () => {
    expect(runOrder(2)).toEqual(['off', 'on', 'on', 'off']);
    expect(runOrder(3)).toEqual(['off', 'on', 'on', 'off', 'off', 'on']);
  });

  it('takes the median, the mean of the middle two for an even count', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });

  it("gives the measured gateway's CPU per response, or null when it is unknown", () => {
    const load = { responses: 200_000, cpuS: { gateway: 10, bench: 3 } } as unknown as LoadResult;
    expect(gatewayCpuUsPerRequest(load)).toBeCloseTo(50, 10);
    expect(gatewayCpuUsPerRequest({ ...load, cpuS: { gateway: null } })).toBeNull();
    expect(gatewayCpuUsPerRequest({ ...load, responses: 0 })).toBeNull();
  });

  it('gives the req/s cost and the added CPU per request from the medians, with the evidence between settings and runs', () => {
    const runs = [abRun('off', 1, 20_000, 50), abRun('on', 2, 19_000, 54), abRun('on', 3, 19_400, 53), abRun('off', 4, 20_400, 49)];
    const r = abCost({ ...settings, rounds: 2, runs }, { proof: 'x' });
    expect(r.off).toMatchObject({ runs: 2, reqPerSec: 20_200, p50Ms: 1, p99Ms: 3, cpuUsPerRequest: 49.5 });
    expect(r.on.reqPerSec).toBe(19_200);
    expect(r.cost).toBeCloseTo(1 - 19_200 / 20_200, 10);
    expect(r.cpuUsPerRequestAdded).toBeCloseTo(4, 10);
    expect(Object.keys(r)).toEqual(['connections', 'durationS', 'rounds', 'nodeArgs', 'proof', 'runs', 'off', 'on', 'cost', 'cpuUsPerRequestAdded']);
  });

  it('has no CPU figure when a run could not read it', () => {
    const r = abCost({ ...settings, rounds: 1, runs: [abRun('off', 1, 100, null), abRun('on', 2, 90, 5)] }, {});
    expect(r.cpuUsPerRequestAdded).toBeNull();
    expect(formatAbCost(r, { title: 'T', switchName: 's', evidence: [] })).toContain('gateway CPU per request, on - off (medians): n/a');
  });

  it('prints the settings, the evidence, a row per run and per median, the cost and the CPU difference', () => {
    const r = abCost({ ...settings, rounds: 1, runs: [abRun('off', 1, 20_000, 50), abRun('on', 2, 19_000, 55)] }, {});
    const lines = formatAbCost(r, { title: '9. Something', switchName: 'thing', evidence: ['evidence line'] }).split('\n');
    expect(lines[0]).toBe('9. Something: 50 connections, 10 s per run, 1 run(s) per variant in the order off, on');
    expect(lines[1]).toBe('both gateways run with node flags: --no-allocation-site-pretenuring');
    expect(lines[2]).toBe('evidence line');
    expect(lines[3].split(/\s+/).slice(0, 3)).toEqual(['run', 'thing', 'req/s']);
    expect(lines.filter((l) => /^median\s+(off|on)\s/.test(l))).toHaveLength(2);
    expect(lines.at(-2)).toBe('cost (1 - median req/s on / median req/s off): 5.0 %');
    expect(lines.at(-1)).toBe('gateway CPU per request, on - off (medians): +5.0 us (+10.0 %)');
  });
});
