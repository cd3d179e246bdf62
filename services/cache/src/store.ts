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

/** The store cannot answer now (down, timed out); the request may succeed later. */
export class StoreUnavailableError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'StoreUnavailableError';
  }
}

export class NotACounterError extends Error {
  constructor(key: string) {
    super(`the value at ${key} is not an integer`);
    this.name = 'NotACounterError';
  }
}

/** Counters are signed 64-bit integers, as in Redis. */
export class CounterOverflowError extends Error {
  constructor(key: string) {
    super(`incrementing ${key} would overflow a 64-bit integer`);
    this.name = 'CounterOverflowError';
  }
}

/** Rounds up, so a key set with ttlSeconds N reads back as N right away, as with Redis TTL. */
export function secondsLeft(millis: number): number {
  return Math.ceil(millis / 1000);
}
