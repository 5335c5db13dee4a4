import { seededRandom } from './circuit-breaker.spec-helpers';
import { weightedOrder } from './weighted-order';

const t = (name: string, priority: number, weight = 1) => ({ name, priority, weight });
const names = (order: readonly { name: string }[]) => order.map((x) => x.name).join(' ');

describe('weightedOrder', () => {
  it('returns the targets themselves when no two share a priority (no copy, no draw)', () => {
    const targets = [t('a', 0), t('b', 1), t('c', 2)];
    const random = jest.fn(() => 0.5);
    expect(weightedOrder(targets, random)).toBe(targets);
    expect(random).not.toHaveBeenCalled();
  });

  it('orders by priority even when given out of order, keeping the given order of equal priorities apart', () => {
    expect(names(weightedOrder([t('c', 2), t('a', 0), t('b', 1)], () => 0))).toBe('a b c');
    expect(names(weightedOrder([t('low', 5), t('x', 1), t('y', 1)], () => 0))).toBe('x y low');
  });

  it('shuffles only within a priority and never drops or repeats a target', () => {
    const random = seededRandom(7);
    const targets = [t('a', 0, 2), t('b', 0, 5), t('c', 0, 1), t('d', 1, 1), t('e', 1, 9), t('f', 2)];
    for (let i = 0; i < 200; i++) {
      const order = weightedOrder(targets, random).map((x) => x.name);
      expect(order.slice(0, 3).sort()).toEqual(['a', 'b', 'c']);
      expect(order.slice(3, 5).sort()).toEqual(['d', 'e']);
      expect(order[5]).toBe('f');
    }
  });

  it('picks each target first with probability weight / sum (10,000 draws)', () => {
    const random = seededRandom(2024);
    const targets = [t('a', 0, 1), t('b', 0, 2), t('c', 0, 7)];
    const first: Record<string, number> = { a: 0, b: 0, c: 0 };
    const secondGivenCFirst: Record<string, number> = { a: 0, b: 0 };
    for (let i = 0; i < 10_000; i++) {
      const order = weightedOrder(targets, random);
      first[order[0].name] += 1;
      if (order[0].name === 'c') secondGivenCFirst[order[1].name] += 1;
    }
    expect(first.a / 10_000).toBeCloseTo(0.1, 1);
    expect(Math.abs(first.a / 10_000 - 0.1)).toBeLessThan(0.015);
    expect(Math.abs(first.b / 10_000 - 0.2)).toBeLessThan(0.015);
    expect(Math.abs(first.c / 10_000 - 0.7)).toBeLessThan(0.015);
    // Without replacement: with c gone, a comes next with probability 1 / (1 + 2).
    const cFirst = secondGivenCFirst.a + secondGivenCFirst.b;
    expect(Math.abs(secondGivenCFirst.a / cFirst - 1 / 3)).toBeLessThan(0.03);
  });

  it('treats the ends of random() correctly', () => {
    const targets = [t('a', 0, 1), t('b', 0, 1)];
    expect(names(weightedOrder(targets, () => 0))).toBe('a b');
    expect(names(weightedOrder(targets, () => 0.4999))).toBe('a b');
    expect(names(weightedOrder(targets, () => 0.5))).toBe('b a');
    expect(names(weightedOrder(targets, () => 0.9999999999999999))).toBe('b a');
    expect(names(targets)).toBe('a b'); // the input is not reordered
  });
});
