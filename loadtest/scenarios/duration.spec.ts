import { durationMs, formatDuration } from './duration.ts';

describe("k6 durations", () => {
  it.each([
    ['500ms', 500],
    ['30s', 30_000],
    ['1.5s', 1500],
    ['5m', 300_000],
    ['1h30m', 5_400_000],
    ['2m30s250ms', 150_250],
  ])('%s is %d ms', (text, ms) => {
    expect(durationMs(text)).toBe(ms);
    expect(durationMs(formatDuration(ms))).toBe(ms);
  });

  it.each(['', '30', '5 m', 's', '1d', '-1s', '1m 30s'])('%j is not one', (text) => {
    expect(durationMs(text)).toBeUndefined();
  });
});
