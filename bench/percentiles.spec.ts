import { summarize } from './percentiles';

describe('summarize', () => {
  it('gives nearest-rank percentiles of unsorted samples', () => {
    const samples = Array.from({ length: 100 }, (_, i) => 100 - i); // 100..1
    const s = summarize(samples);
    expect(s).toMatchObject({ count: 100, p50: 50, p90: 90, p99: 99, max: 100, mean: 50.5 });
  });

  it('keeps sub-millisecond precision', () => {
    expect(summarize([0.25, 0.125, 0.5]).p50).toBe(0.25);
  });

  it('is NaN for no samples', () => {
    expect(summarize([]).p99).toBeNaN();
  });
});
