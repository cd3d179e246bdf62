import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../src/memory-store.js';
import { CounterOverflowError, NotACounterError } from '../src/store.js';

function storeWithClock(maxKeys = 100) {
  const clock = { now: 1_000_000 };
  const store = new MemoryStore({ maxKeys, now: () => clock.now });
  return { store, clock };
}

describe('MemoryStore', () => {
  it('stores copies of JSON values, without expiry by default', async () => {
    const { store } = storeWithClock();
    const value = { list: [1, 2], flag: false };
    await store.set('k', value);
    value.list.push(3);
    expect(await store.get('k')).toEqual({
      value: { list: [1, 2], flag: false },
      ttlSeconds: null,
    });
    expect(await store.get('other')).toBeUndefined();
  });

  it('expires keys on the injected clock and reports seconds left, rounded up', async () => {
    const { store, clock } = storeWithClock();
    await store.set('k', 'v', 10);
    expect(await store.get('k')).toEqual({ value: 'v', ttlSeconds: 10 });
    clock.now += 1_500;
    expect((await store.get('k'))?.ttlSeconds).toBe(9);
    clock.now += 8_499;
    expect((await store.get('k'))?.ttlSeconds).toBe(1);
    clock.now += 1;
    expect(await store.get('k')).toBeUndefined();
    expect(await store.delete('k')).toBe(false);
    expect(store.size).toBe(0);
  });

  it('drops the expiry when a value is replaced without one', async () => {
    const { store, clock } = storeWithClock();
    await store.set('k', 1, 5);
    await store.set('k', 2);
    clock.now += 60_000;
    expect(await store.get('k')).toEqual({ value: 2, ttlSeconds: null });
  });

  it('deletes a key once', async () => {
    const { store } = storeWithClock();
    await store.set('k', null);
    expect(await store.delete('k')).toBe(true);
    expect(await store.delete('k')).toBe(false);
    expect(await store.get('k')).toBeUndefined();
  });

  it('counts from zero, on integers written by set, and keeps the expiry', async () => {
    const { store, clock } = storeWithClock();
    expect(await store.incr('c', 1)).toBe(1);
    expect(await store.incr('c', -5)).toBe(-4);
    expect(await store.get('c')).toEqual({ value: -4, ttlSeconds: null });
    await store.set('t', 41, 10);
    expect(await store.incr('t', 1)).toBe(42);
    expect(await store.get('t')).toEqual({ value: 42, ttlSeconds: 10 });
    clock.now += 10_000;
    expect(await store.incr('t', 1)).toBe(1);
  });

  it('refuses to count a value that is not an integer, and keeps it', async () => {
    const { store } = storeWithClock();
    for (const value of ['5', 'text', 1.5, 1e21, true, null, [], { n: 1 }]) {
      await store.set('k', value);
      await expect(store.incr('k', 1)).rejects.toBeInstanceOf(NotACounterError);
      expect((await store.get('k'))?.value).toEqual(value);
    }
  });

  it('refuses to count past a signed 64-bit integer, as Redis does', async () => {
    const { store } = storeWithClock();
    // 1024 × (2^53 - 1) is just under 2^63; one more step crosses it.
    for (let i = 0; i < 1024; i += 1) await store.incr('big', Number.MAX_SAFE_INTEGER);
    await expect(store.incr('big', Number.MAX_SAFE_INTEGER)).rejects.toBeInstanceOf(
      CounterOverflowError,
    );
    // The refused step left the counter as it was: stepping back down lands exactly on 0.
    let back = -1;
    for (let i = 0; i < 1024; i += 1) back = await store.incr('big', -Number.MAX_SAFE_INTEGER);
    expect(back).toBe(0);
    for (let i = 0; i < 1024; i += 1) await store.incr('small', -Number.MAX_SAFE_INTEGER);
    await expect(store.incr('small', -Number.MAX_SAFE_INTEGER)).rejects.toBeInstanceOf(
      CounterOverflowError,
    );
  });

  it('evicts the least recently written keys beyond maxKeys', async () => {
    const { store } = storeWithClock(3);
    await store.set('a', 1);
    await store.set('b', 2);
    await store.set('c', 3);
    await store.set('a', 'rewritten');
    await store.incr('b', 1);
    await store.set('d', 4);
    expect(store.size).toBe(3);
    expect(await store.get('c')).toBeUndefined();
    expect((await store.get('a'))?.value).toBe('rewritten');
    expect((await store.get('b'))?.value).toBe(3);
    await store.set('e', 5);
    expect(await store.get('a')).toBeUndefined();
    expect(store.size).toBe(3);
  });
});
