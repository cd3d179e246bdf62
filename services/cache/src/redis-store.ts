import {
  closeRedisClient,
  createRedisClient,
  type RedisClientOptions,
  StoreUnavailableError,
} from '@appdist/service-kit/redis';
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
export class RedisStore implements KeyValueStore {
  readonly #redis: ScriptedRedis;

  constructor(options: RedisClientOptions) {
    const redis = createRedisClient(options);
    redis.defineCommand('getWithPttl', { numberOfKeys: 1, lua: GET_WITH_PTTL });
    this.#redis = redis as ScriptedRedis;
  }

  /** Rejects when the first attempt fails; the client keeps reconnecting in the background. */
  async connect(): Promise<void> {
    await this.#redis.connect();
  }

  async get(key: string): Promise<StoredValue | undefined> {
    const reply = await this.#run(key, () => this.#redis.getWithPttl(key));
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
    await this.#run(key, () =>
      ttlSeconds === undefined
        ? this.#redis.set(key, data)
        : this.#redis.set(key, data, 'EX', ttlSeconds),
    );
  }

  async delete(key: string): Promise<boolean> {
    return Number(await this.#run(key, () => this.#redis.del(key))) > 0;
  }

  async incr(key: string, by: number): Promise<number> {
    return Number(await this.#run(key, () => this.#redis.incrby(key, by)));
  }

  async ping(): Promise<void> {
    await this.#run('', () => this.#redis.ping());
  }

  close(): Promise<void> {
    return closeRedisClient(this.#redis);
  }

  async #run<T>(key: string, command: () => Promise<T>): Promise<T> {
    try {
      return await command();
    } catch (error) {
      throw toStoreError(key, error);
    }
  }
}

/** Redis answers a bad INCRBY with a reply error; anything else means Redis is not usable now. */
function toStoreError(key: string, error: unknown): Error {
  if (error instanceof Error && error.name === 'ReplyError') {
    if (error.message.includes('not an integer')) return new NotACounterError(key);
    if (error.message.includes('overflow')) return new CounterOverflowError(key);
  }
  const message = error instanceof Error ? error.message : String(error);
  return new StoreUnavailableError(`redis: ${message}`, { cause: error });
}
