import { type RedisClientOptions, RedisStoreBase } from '@appdist/service-kit/redis';
import type { Redis } from 'ioredis';
import {
  CounterOverflowError,
  type JsonValue,
  type KeyValueStore,
  NotACounterError,
  type StoredValue,
  secondsLeft,
} from './store.js';

// A value and its expiry, read atomically in one command: nil for a missing key, else
// [value, PTTL]. One script call instead of MULTI/GET/PTTL/EXEC is one command to queue, time
// out and decode instead of four, on the redirect path's every cache hit.
const GET_WITH_PTTL = `
local value = redis.call('GET', KEYS[1])
if not value then return false end
return {value, redis.call('PTTL', KEYS[1])}
`;

/** The script above as a command of the client (ioredis loads it by SHA, sending it once). */
interface ScriptedRedis extends Redis {
  getWithPttl(key: string): Promise<[string, string | number] | null>;
}

/** Keys and values in Redis: values as JSON text, counters as Redis integers (so GET reads them too). */
export class RedisStore extends RedisStoreBase implements KeyValueStore {
  constructor(options: RedisClientOptions) {
    super(options);
    this.redis.defineCommand('getWithPttl', { numberOfKeys: 1, lua: GET_WITH_PTTL });
  }

  async get(key: string): Promise<StoredValue | undefined> {
    const reply = await this.run(() => (this.redis as ScriptedRedis).getWithPttl(key));
    if (reply === null) return undefined;
    const [data, pttl] = reply;
    return {
      value: JSON.parse(data) as JsonValue,
      // PTTL is -1 without an expiry (-2 for a missing key, which the script has ruled out).
      ttlSeconds: Number(pttl) >= 0 ? secondsLeft(Number(pttl)) : null,
    };
  }

  async set(key: string, value: JsonValue, ttlSeconds?: number): Promise<void> {
    const data = JSON.stringify(value);
    await this.run(() =>
      ttlSeconds === undefined
        ? this.redis.set(key, data)
        : this.redis.set(key, data, 'EX', ttlSeconds),
    );
  }

  async delete(key: string): Promise<boolean> {
    return Number(await this.run(() => this.redis.del(key))) > 0;
  }

  async incr(key: string, by: number): Promise<number> {
    // Redis answers a bad INCRBY with a reply error: the caller's mistake, not an outage.
    const counterError = (error: Error) =>
      error.message.includes('not an integer')
        ? new NotACounterError(key)
        : error.message.includes('overflow')
          ? new CounterOverflowError(key)
          : undefined;
    return Number(await this.run(() => this.redis.incrby(key, by), counterError));
  }
}
