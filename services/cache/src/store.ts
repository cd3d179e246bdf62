import { HttpError } from '@appdist/service-kit/errors';

export type JsonValue =
  | null
  | boolean
  | number
  | string
  | JsonValue[]
  | { [key: string]: JsonValue };

export interface StoredValue {
  value: JsonValue;
  /** Whole seconds left, rounded up; null when the key never expires. */
  ttlSeconds: number | null;
}

/** What the cache API needs from a store; Redis and the in-process store behave the same. */
export interface KeyValueStore {
  get(key: string): Promise<StoredValue | undefined>;
  /** Replaces the value; without ttlSeconds the key no longer expires. */
  set(key: string, value: JsonValue, ttlSeconds?: number): Promise<void>;
  /** True when the key existed. */
  delete(key: string): Promise<boolean>;
  /** Adds `by` to an integer value (a missing key counts as 0) and keeps its expiry. */
  incr(key: string, by: number): Promise<number>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

// The two ways an incr fails for good, as the 409s the API answers.
export class NotACounterError extends HttpError {
  constructor(key: string) {
    super(409, 'not_a_counter', `the value at ${key} is not an integer`);
    this.name = 'NotACounterError';
  }
}

/** Counters are signed 64-bit integers, as in Redis. */
export class CounterOverflowError extends HttpError {
  constructor(key: string) {
    super(409, 'counter_overflow', `incrementing ${key} would overflow a 64-bit integer`);
    this.name = 'CounterOverflowError';
  }
}

/** Rounds up, so a key set with ttlSeconds N reads back as N right away, as with Redis TTL. */
export function secondsLeft(millis: number): number {
  return Math.ceil(millis / 1000);
}
