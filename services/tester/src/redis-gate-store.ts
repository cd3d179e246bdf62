import type { Logger } from '@appdist/service-kit/logger';
import {
  closeRedisClient,
  createRedisClient,
  type RedisClientOptions,
  StoreUnavailableError,
} from '@appdist/service-kit/redis';
import type { Redis } from 'ioredis';
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
export class RedisGateStore implements GateStore {
  readonly #redis: Redis;
  readonly #now: () => Date;
  readonly #logger: Logger;

  constructor(options: RedisGateStoreOptions) {
    this.#now = options.now ?? (() => new Date());
    this.#logger = options.logger;
    this.#redis = createRedisClient(options);
  }

  /** Rejects when the first attempt fails; the client keeps reconnecting in the background. */
  async connect(): Promise<void> {
    await this.#redis.connect();
  }

  async isOpen(kind: SwitchKind, canary: CanaryRef): Promise<boolean> {
    const stored = await this.#run(() => this.#redis.hget(HASH[kind], canaryId(canary)));
    return stored !== null && decode(canary, stored).open;
  }

  async set(kind: SwitchKind, canary: CanaryRef, open: boolean): Promise<SwitchState> {
    const updatedAt = this.#now().toISOString();
    const value = JSON.stringify({ open, updatedAt });
    await this.#run(() => this.#redis.hset(HASH[kind], canaryId(canary), value));
    return { name: canary.name, namespace: canary.namespace, open, updatedAt };
  }

  async list(kind: SwitchKind): Promise<SwitchState[]> {
    const all = await this.#run(() => this.#redis.hgetall(HASH[kind]));
    const states: SwitchState[] = [];
    for (const [field, value] of Object.entries(all)) {
      const slash = field.indexOf('/');
      if (slash <= 0) continue;
      const canary = { namespace: field.slice(0, slash), name: field.slice(slash + 1) };
      states.push(decode(canary, value));
    }
    return states.sort(bySwitchName);
  }

  async ping(): Promise<void> {
    await this.#run(() => this.#redis.ping());
  }

  close(): Promise<void> {
    return closeRedisClient(this.#redis);
  }

  async #run<T>(command: () => Promise<T>): Promise<T> {
    try {
      return await command();
    } catch (error) {
      // A reply error (say WRONGTYPE: something else wrote our key) will not heal by retrying
      // like an outage does; it still answers 503, but an operator needs to see it.
      if (error instanceof Error && error.name === 'ReplyError') {
        this.#logger.error({ err: error }, 'redis refused a gate command');
      }
      const message = error instanceof Error ? error.message : String(error);
      throw new StoreUnavailableError(`redis: ${message}`, { cause: error });
    }
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
