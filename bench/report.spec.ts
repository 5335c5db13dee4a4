import type { FirstChunkResult } from './first-chunk';
import { streamsIncrementally } from './report';

function spaced(firstP50: number, totalP50: number): FirstChunkResult {
  const summary = (v: number) => ({ count: 5, mean: v, p50: v, p90: v, p99: v, max: v });
  return { target: 'gateway', requests: 5, firstChunkMs: summary(firstP50), totalMs: summary(totalP50) };
}

describe('streamsIncrementally', () => {
  it('accepts a first chunk that comes well before the end of a spaced stream', () => {
    expect(streamsIncrementally(spaced(1.5, 160))).toBe(true);
  });

  it('rejects a first chunk that comes with the end (a buffering proxy)', () => {
    expect(streamsIncrementally(spaced(158, 160))).toBe(false);
  });
});
