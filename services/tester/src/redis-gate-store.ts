import { type RedisClientOptions, RedisStoreBase } from '@appdist/service-kit/redis';
import { z } from 'zod';
import { bySwitchName, type GateStore, type SwitchKind, type SwitchState } from './gate-store.js';
import { type CanaryRef, canaryId } from './payload.js';

export interface RedisGateStoreOptions extends RedisClientOptions {
  now?: () => Date;
}

// One hash per kind, field `namespace/name`, value `{"open":…,"updatedAt":…}`: a check is one
// HGET, and listing needs no SCAN over a Redis that other services may share.
const HASH: Record<SwitchKind, string> = { gate: 'gates', rollback: 'rollbacks' };

/** Switches in Redis: they survive a tester restart and are shared by every replica. */
export class RedisGateStore extends RedisStoreBase implements GateStore {
  readonly #now: () => Date;

  constructor(options: RedisGateStoreOptions) {
    super(options);
    this.#now = options.now ?? (() => new Date());
  }

  async isOpen(kind: SwitchKind, canary: CanaryRef): Promise<boolean> {
    const stored = await this.run(() => this.redis.hget(HASH[kind], canaryId(canary)));
    return stored !== null && decode(canary, stored).open;
  }

  async set(kind: SwitchKind, canary: CanaryRef, open: boolean): Promise<SwitchState> {
    const updatedAt = this.#now().toISOString();
    const value = JSON.stringify({ open, updatedAt });
    await this.run(() => this.redis.hset(HASH[kind], canaryId(canary), value));
    return { name: canary.name, namespace: canary.namespace, open, updatedAt };
  }

  async list(kind: SwitchKind): Promise<SwitchState[]> {
    const all = await this.run(() => this.redis.hgetall(HASH[kind]));
    const states: SwitchState[] = [];
    for (const [field, value] of Object.entries(all)) {
      const slash = field.indexOf('/');
      if (slash <= 0) continue;
      const canary = { namespace: field.slice(0, slash), name: field.slice(slash + 1) };
      states.push(decode(canary, value));
    }
    return states.sort(bySwitchName);
  }
}

// A value written by hand or by another version reads as closed: the safe side of a gate.
const storedSwitch = z
  .object({ open: z.boolean().catch(false), updatedAt: z.string().catch('') })
  .catch({ open: false, updatedAt: '' });

function decode(canary: CanaryRef, value: string): SwitchState {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    parsed = undefined;
  }
  return { name: canary.name, namespace: canary.namespace, ...storedSwitch.parse(parsed) };
}
