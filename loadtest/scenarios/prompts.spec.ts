import { cacheMixChoice, cacheMixPrompt, uniquePrompt } from './prompts.ts';
import { settingsFrom } from './settings.ts';

describe('cache-mix prompt choice', () => {
  const choices = (n: number, repeatRatio: number, promptPool: number) => Array.from({ length: n }, (_, index) => cacheMixChoice(index, { repeatRatio, promptPool }));

  it('repeats exactly 90 % of the prompts by default, one new prompt in every 10 requests', () => {
    const all = choices(1000, 0.9, 10);
    expect(all.filter((c) => !c.repeat)).toHaveLength(100);
    for (let start = 0; start + 10 <= all.length; start += 10) expect(all.slice(start, start + 10).filter((c) => !c.repeat)).toHaveLength(1);
  });

  it('cycles the repeated requests through the whole pool, evenly', () => {
    const slots = choices(900, 0.9, 10).flatMap((c) => (c.repeat ? [c.slot] : []));
    const perSlot = new Map<number, number>();
    for (const slot of slots) perSlot.set(slot, (perSlot.get(slot) ?? 0) + 1);
    expect([...perSlot.keys()].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(Math.max(...perSlot.values()) - Math.min(...perSlot.values())).toBeLessThanOrEqual(1);
  });

  it('follows REPEAT_RATIO and PROMPT_POOL: 0.5 of 4 prompts; 0 (all new); 1 (all repeated)', () => {
    const half = choices(100, 0.5, 4);
    expect(half.filter((c) => c.repeat)).toHaveLength(50);
    expect(new Set(half.flatMap((c) => (c.repeat ? [c.slot] : [])))).toEqual(new Set([0, 1, 2, 3]));
    expect(choices(50, 0, 4).every((c) => !c.repeat)).toBe(true);
    expect(choices(50, 1, 4).every((c) => c.repeat)).toBe(true);
  });

  it('sends the same text for a pool slot and a text never seen before for a new prompt', () => {
    const settings = settingsFrom({});
    const texts = Array.from({ length: 40 }, (_, index) => cacheMixPrompt({ vu: 1, index }, settings));
    expect(new Set(texts).size).toBe(10 + 4);
    expect(uniquePrompt({ vu: 1, index: 7 })).not.toBe(uniquePrompt({ vu: 1, index: 8 }));
  });
});
