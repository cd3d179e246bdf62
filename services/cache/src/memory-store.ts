import {
  CounterOverflowError,
  type JsonValue,
  type KeyValueStore,
  NotACounterError,
  type StoredValue,
  secondsLeft,
} from './store.js';

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
// The integers Redis INCRBY accepts: no sign other than '-', no leading zeros, no exponent.
const INTEGER_TEXT = /^-?(0|[1-9][0-9]{0,18})$/;

interface Entry {
  /** Kept as JSON text, like Redis, so callers cannot mutate stored values and counters parse alike. */
  data: string;
  expiresAt: number | null;
}

export interface MemoryStoreOptions {
  maxKeys: number;
  /** Milliseconds; injectable so expiry can be tested without waiting. */
  now?: () => number;
}

/** The store for a single process: Redis semantics, bounded by evicting the oldest writes. */
export class MemoryStore implements KeyValueStore {
  readonly #entries = new Map<string, Entry>();
  readonly #maxKeys: number;
  readonly #now: () => number;

  constructor(options: MemoryStoreOptions) {
    this.#maxKeys = options.maxKeys;
    this.#now = options.now ?? Date.now;
  }

  get size(): number {
    return this.#entries.size;
  }

  async get(key: string): Promise<StoredValue | undefined> {
    const entry = this.#live(key);
    if (!entry) return undefined;
    return {
      value: JSON.parse(entry.data) as JsonValue,
      ttlSeconds: entry.expiresAt === null ? null : secondsLeft(entry.expiresAt - this.#now()),
    };
  }

  async set(key: string, value: JsonValue, ttlSeconds?: number): Promise<void> {
    const expiresAt = ttlSeconds === undefined ? null : this.#now() + ttlSeconds * 1000;
    this.#write(key, { data: JSON.stringify(value), expiresAt });
  }

  async delete(key: string): Promise<boolean> {
    if (!this.#live(key)) return false;
    return this.#entries.delete(key);
  }

  async incr(key: string, by: number): Promise<number> {
    const entry = this.#live(key);
    let current = 0n;
    if (entry) {
      if (!INTEGER_TEXT.test(entry.data)) throw new NotACounterError(key);
      current = BigInt(entry.data);
      if (current < INT64_MIN || current > INT64_MAX) throw new NotACounterError(key);
    }
    const next = current + BigInt(by);
    if (next < INT64_MIN || next > INT64_MAX) throw new CounterOverflowError(key);
    this.#write(key, { data: next.toString(), expiresAt: entry?.expiresAt ?? null });
    return Number(next);
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {
    this.#entries.clear();
  }

  /** Expired entries are dropped when touched, as Redis does lazily. */
  #live(key: string): Entry | undefined {
    const entry = this.#entries.get(key);
    if (entry?.expiresAt != null && entry.expiresAt <= this.#now()) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry;
  }

  /** Re-inserting moves the key to the end, so Map order is oldest write first. */
  #write(key: string, entry: Entry): void {
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    for (const oldest of this.#entries.keys()) {
      if (this.#entries.size <= this.#maxKeys) break;
      this.#entries.delete(oldest);
    }
  }
}
