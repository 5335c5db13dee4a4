import { oneRound } from './ab-report.spec-helpers';
import { attemptsProblems, formatResilience } from './resilience-report';

describe('resilience cost (section 4)', () => {
  it('accepts one attempt without the pipeline and retries with it', () => {
    expect(attemptsProblems({ off: 1, on: 3 })).toEqual([]);
    expect(attemptsProblems({ off: 3, on: 3 })).toEqual(['resilience off: 3 upstream attempts for one 503, expected 1']);
    expect(attemptsProblems({ off: 1, on: 1 })).toHaveLength(1);
  });

  it('keeps its title, table column and 503 line', () => {
    const r = oneRound({ attemptsFor503: { off: 1, on: 3 } });
    const lines = formatResilience(r).split('\n');
    expect(lines[0]).toBe('4. Resilience pipeline cost on the healthy path: 50 connections, 10 s per run, 1 run(s) per variant in the order off, on');
    expect(lines[1]).toBe('both gateways run with node flags: (none)');
    expect(lines[2]).toBe('upstream attempts for one request the fake fails with 503: off 1, on 3');
    expect(lines[3]).toMatch(/^run\s+resilience\s+req\/s/);
  });
});
