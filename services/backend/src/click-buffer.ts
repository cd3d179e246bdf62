import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { HttpError } from '@appdist/service-kit/errors';
import type { Logger } from '@appdist/service-kit/logger';
import type { ClickBatch } from './database-service.js';

// The database takes at most 1000 codes per batch in a JSON body of at most 16 KiB.
const MAX_BATCH_CODES = 1000;
const MAX_BATCH_BYTES = 15 * 1024;

export interface ClickBufferOptions {
  /** Delivers a batch; rejects when it may not have been applied. */
  send: (batch: ClickBatch) => Promise<void>;
  intervalMs: number;
  logger: Logger;
}

/**
 * Counts clicks in memory and delivers them in batches, so a redirect never waits on a
 * database write. A batch keeps its id until it is delivered: the database applies an id at
 * most once, so resending it after an unclear failure cannot count a click twice. Clicks that
 * arrive meanwhile wait for the next batch and are never merged into one already sent.
 */
export class ClickBuffer {
  readonly #send: ClickBufferOptions['send'];
  readonly #logger: Logger;
  readonly #intervalMs: number;
  #pending = new Map<string, number>();
  #unsent: ClickBatch | undefined;
  #flushing: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(options: ClickBufferOptions) {
    this.#send = options.send;
    this.#logger = options.logger;
    this.#intervalMs = options.intervalMs;
  }

  start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => void this.flush(), this.#intervalMs);
    // Pending clicks alone must not keep the process alive; close() flushes them.
    this.#timer.unref();
  }

  add(code: string): void {
    this.#pending.set(code, (this.#pending.get(code) ?? 0) + 1);
  }

  /** Clicks on a code that this instance has counted but the database may not have applied yet. */
  unapplied(code: string): number {
    const unsent = this.#unsent?.counts;
    // Own keys only: a code such as `toString` must not read Object.prototype.
    const inFlight = unsent && Object.hasOwn(unsent, code) ? unsent[code] : undefined;
    return (this.#pending.get(code) ?? 0) + (inFlight ?? 0);
  }

  /** One delivery round; concurrent callers share the round in progress. */
  flush(): Promise<void> {
    this.#flushing ??= this.#deliver().finally(() => {
      this.#flushing = undefined;
    });
    return this.#flushing;
  }

  /** Stops the timer and delivers what is left, waiting at most timeoutMs. */
  async close(timeoutMs: number): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    const delivered = (async () => {
      await this.#flushing;
      await this.flush();
    })();
    const deadline = new AbortController();
    await Promise.race([
      delivered,
      sleep(timeoutMs, undefined, { signal: deadline.signal }).catch(() => undefined),
    ]);
    deadline.abort();
    const lost = sum(this.#pending) + (this.#unsent ? sum(this.#unsent.counts) : 0);
    if (lost > 0) this.#logger.error({ clicks: lost }, 'clicks not delivered at shutdown');
  }

  async #deliver(): Promise<void> {
    // A batch that failed earlier goes first, with its original id.
    if (this.#unsent && !(await this.#trySend(this.#unsent))) return;
    // Bounded by the codes pending now, so clicks arriving during the sends wait for the next round.
    let budget = this.#pending.size;
    while (budget > 0 && this.#pending.size > 0) {
      this.#unsent = this.#takeBatch();
      budget -= Object.keys(this.#unsent.counts).length;
      if (!(await this.#trySend(this.#unsent))) return;
    }
  }

  /** Moves as many pending counts as fit in one batch out of the buffer. */
  #takeBatch(): ClickBatch {
    // No prototype: `__proto__` is a valid code, and on a plain object its count would be
    // dropped, leaving it pending forever (and this loop sending empty batches).
    const counts: Record<string, number> = Object.create(null);
    let codes = 0;
    let bytes = 64;
    for (const [code, n] of this.#pending) {
      bytes += JSON.stringify(code).length + String(n).length + 2;
      if (codes === MAX_BATCH_CODES || (codes > 0 && bytes > MAX_BATCH_BYTES)) break;
      counts[code] = n;
      codes += 1;
    }
    for (const code of Object.keys(counts)) this.#pending.delete(code);
    return { batchId: randomUUID(), counts };
  }

  async #trySend(batch: ClickBatch): Promise<boolean> {
    try {
      await this.#send(batch);
      this.#unsent = undefined;
      return true;
    } catch (error) {
      if (error instanceof HttpError && error.status >= 400 && error.status < 500) {
        // The database rejected the batch itself; resending the same batch cannot succeed.
        this.#logger.error({ err: error, batchId: batch.batchId }, 'click batch rejected: dropped');
        this.#unsent = undefined;
        return true;
      }
      this.#logger.warn(
        { err: error, batchId: batch.batchId },
        'click batch not delivered: will retry',
      );
      return false;
    }
  }
}

function sum(counts: Map<string, number> | Record<string, number>): number {
  let total = 0;
  for (const n of counts instanceof Map ? counts.values() : Object.values(counts)) total += n;
  return total;
}
