import { ChildCache1, ChildCache2, ChildCache3 } from './child-cache';

describe('ChildCache', () => {
  it('creates a child once per distinct label values', () => {
    const create = jest.fn((...values: string[]) => values.join('|'));
    const one = new ChildCache1((a) => create(a));
    const two = new ChildCache2((a, b) => create(a, b));
    const three = new ChildCache3((a, b, c) => create(a, b, c));
    expect([one.get('x'), one.get('x'), one.get('y')]).toEqual(['x', 'x', 'y']);
    expect([two.get('x', 'y'), two.get('x', 'y'), two.get('xy', '')]).toEqual(['x|y', 'x|y', 'xy|']);
    expect([three.get('a', 'b', 'c'), three.get('a', 'b', 'c'), three.get('a', 'c', 'b')]).toEqual(['a|b|c', 'a|b|c', 'a|c|b']);
    expect(create).toHaveBeenCalledTimes(6);
  });
});
