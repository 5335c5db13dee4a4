import { completionId, toolCallId, unixSeconds } from './ids';

describe('ids', () => {
  it('makes completion ids in the chatcmpl- format', () => {
    expect(completionId()).toMatch(/^chatcmpl-[0-9a-f]{24}$/);
  });

  it('makes tool call ids in the call_ format', () => {
    expect(toolCallId()).toMatch(/^call_[0-9a-f]{24}$/);
  });

  it('never repeats, also across refills of the random pool', () => {
    // 4096-byte pool, 12 bytes an id: 20000 ids refill it dozens of times.
    const ids = new Set<string>();
    for (let i = 0; i < 10_000; i++) {
      ids.add(completionId().slice('chatcmpl-'.length));
      ids.add(toolCallId().slice('call_'.length));
    }
    expect(ids.size).toBe(20_000);
  });

  it('looks random: every hex digit shows up in every position', () => {
    const seen = Array.from({ length: 24 }, () => new Set<string>());
    for (let i = 0; i < 2000; i++) {
      const hex = completionId().slice('chatcmpl-'.length);
      for (let p = 0; p < hex.length; p++) seen[p].add(hex[p]);
    }
    expect(seen.map((digits) => digits.size)).toEqual(Array(24).fill(16));
  });
});

describe('unixSeconds', () => {
  it('is the current time in whole seconds', () => {
    const before = Math.floor(Date.now() / 1000);
    const now = unixSeconds();
    const after = Math.floor(Date.now() / 1000);
    expect(Number.isInteger(now)).toBe(true);
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(after);
  });
});
