import { deeperThan } from './json-body';

describe('deeperThan', () => {
  const nest = (depth: number): unknown => JSON.parse(`${'['.repeat(depth)}${']'.repeat(depth)}`);

  it('counts arrays and objects, not scalars', () => {
    expect(deeperThan('text', 0)).toBe(false);
    expect(deeperThan({ a: 1, b: 'x' }, 1)).toBe(false);
    expect(deeperThan({ a: { b: [1] } }, 2)).toBe(true);
    expect(deeperThan({ a: { b: [1] } }, 3)).toBe(false);
  });

  it('finds a deep branch beside shallow ones', () => {
    // 1 (the outer object) + 1 (deep) + 10 (the nested arrays)
    expect(deeperThan({ shallow: [1, 2], deep: { x: nest(10) } }, 11)).toBe(true);
    expect(deeperThan({ shallow: [1, 2], deep: { x: nest(10) } }, 12)).toBe(false);
  });

  it('walks 100,000 levels without overflowing the stack', () => {
    expect(deeperThan(nest(100_000), 64)).toBe(true);
  });
});
