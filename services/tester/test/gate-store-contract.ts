import { afterAll, beforeAll, expect, it } from 'vitest';
import type { GateStore } from '../src/gate-store.js';

export interface GateStoreTarget {
  name: string;
  /** A store with no switch set yet, and how to dispose of it. */
  create(now: () => Date): Promise<{ store: GateStore; dispose(): Promise<void> }>;
}

const backend = { name: 'backend', namespace: 'app' };
const frontend = { name: 'frontend', namespace: 'app' };

/** What the gate routes rely on; the in-memory and the Redis store must both pass all of it. */
export function gateStoreContract(target: GateStoreTarget): void {
  let store: GateStore;
  let dispose: () => Promise<void> = async () => {};
  let clock = new Date('2025-01-01T00:00:00.000Z');
  beforeAll(async () => {
    ({ store, dispose } = await target.create(() => clock));
  });
  afterAll(async () => {
    await dispose();
  });

  it('starts with every switch closed and none listed', async () => {
    expect(await store.isOpen('gate', backend)).toBe(false);
    expect(await store.isOpen('rollback', backend)).toBe(false);
    expect(await store.list('gate')).toEqual([]);
    expect(await store.list('rollback')).toEqual([]);
    await store.ping();
  });

  it('opens and closes one canary, one kind at a time', async () => {
    clock = new Date('2025-01-01T10:00:00.000Z');
    expect(await store.set('gate', backend, true)).toEqual({
      ...backend,
      open: true,
      updatedAt: '2025-01-01T10:00:00.000Z',
    });
    expect(await store.isOpen('gate', backend)).toBe(true);
    expect(await store.isOpen('gate', frontend)).toBe(false);
    expect(await store.isOpen('rollback', backend)).toBe(false);
    expect(await store.isOpen('gate', { name: 'backend', namespace: 'other' })).toBe(false);

    clock = new Date('2025-01-01T11:00:00.000Z');
    await store.set('gate', backend, false);
    expect(await store.isOpen('gate', backend)).toBe(false);
    expect(await store.list('gate')).toEqual([
      { ...backend, open: false, updatedAt: '2025-01-01T11:00:00.000Z' },
    ]);
  });

  it('keeps names that only differ around the separator apart', async () => {
    await store.set('rollback', { name: 'a.b', namespace: 'c' }, true);
    expect(await store.isOpen('rollback', { name: 'b', namespace: 'a' })).toBe(false);
    expect(await store.isOpen('rollback', { name: 'a.b', namespace: 'c' })).toBe(true);
    await store.set('rollback', { name: 'a.b', namespace: 'c' }, false);
  });

  it('lists the switches of a kind sorted by namespace, then name', async () => {
    clock = new Date('2025-01-02T00:00:00.000Z');
    await store.set('rollback', { name: 'zeta', namespace: 'b' }, true);
    await store.set('rollback', { name: 'alpha', namespace: 'b' }, false);
    await store.set('rollback', { name: 'zeta', namespace: 'a' }, true);
    const updatedAt = '2025-01-02T00:00:00.000Z';
    expect((await store.list('rollback')).filter((state) => state.namespace !== 'c')).toEqual([
      { name: 'zeta', namespace: 'a', open: true, updatedAt },
      { name: 'alpha', namespace: 'b', open: false, updatedAt },
      { name: 'zeta', namespace: 'b', open: true, updatedAt },
    ]);
    expect((await store.list('gate')).map((state) => state.name)).toEqual(['backend']);
  });

  it('hands out copies, so a caller cannot change what is stored', async () => {
    const state = await store.set('gate', frontend, true);
    state.open = false;
    const [listed] = (await store.list('gate')).filter((s) => s.name === 'frontend');
    expect(listed?.open).toBe(true);
    if (listed) listed.open = false;
    expect(await store.isOpen('gate', frontend)).toBe(true);
  });
}
