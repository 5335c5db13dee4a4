import { StateStore } from './state-store';

describe('StateStore in process (no Redis)', () => {
  it('keeps a value until its TTL, and deletes on request', async () => {
    let now = 10_000;
    const store = new StateStore({ namespace: 'n:', ttlMs: 1000, maxBytes: 1024, timeoutMs: 50, now: () => now });
    expect(await store.set('a', 'value')).toBe(true);
    now = 10_999;
    expect(await store.get('a')).toBe('value');
    now = 11_001;
    expect(await store.get('a')).toBeUndefined();
    await store.set('b', 'other');
    expect(await store.delete('b')).toBe(true);
    expect(await store.get('b')).toBeUndefined();
  });

  it('stays within its byte bound: the least recently used go first, and a value over the bound is not kept', async () => {
    const store = new StateStore({ namespace: 'n:', ttlMs: 60_000, maxBytes: 10, timeoutMs: 50 });
    await store.set('a', '12345');
    await store.set('b', '12345');
    await store.set('c', '12345');
    expect([await store.get('a'), await store.get('b'), await store.get('c')]).toEqual([undefined, '12345', '12345']);
    expect(await store.set('big', '12345678901')).toBe(false);
    expect(await store.get('big')).toBeUndefined();
  });
});
