import { Pool } from 'undici';
import type { LoadSpec } from './load-spec.js';
import { statusClass, type TesterMetrics } from './tester-metrics.js';

/** What `GET /loads` shows of a running job. */
export interface LoadJobStatus {
  canary: string;
  checksum: string;
  method: string;
  target: string;
  rps: number;
  started: string;
  endsAt: string;
  sent: number;
  errors: number;
  skipped: number;
  inFlight: number;
}

export interface LoadJobOptions {
  spec: LoadSpec;
  requestTimeoutMs: number;
  metrics: TesterMetrics;
}

// Response bodies are read (a real client does, and keep-alive needs it) up to this size;
// past it undici drops the connection rather than download more.
const MAX_BODY_BYTES = 1024 * 1024;

/**
 * Steady load against one URL for a bounded time: requests leave on a timer at the asked rate
 * over keep-alive connections, never in a tight loop. When the target is too slow to keep up,
 * requests past the in-flight cap are skipped (and counted) instead of queued, so a struggling
 * canary gets the rate it was promised, not a burst once it recovers.
 */
export class LoadJob {
  readonly spec: LoadSpec;
  readonly started = new Date();
  readonly endsAt: Date;
  /** Requests waiting for an answer at most: two seconds' worth, within sane bounds. */
  readonly maxInFlight: number;
  /** Settles once the job has sent everything and every answer is in, or it was stopped. */
  readonly done: Promise<void>;

  readonly #options: LoadJobOptions;
  readonly #pool: Pool;
  #stopped = false;
  readonly #inFlight = new Set<Promise<void>>();
  readonly #planned: number;
  readonly #startedAt = performance.now();
  #timer: NodeJS.Timeout | undefined;
  #scheduled = 0;
  #sent = 0;
  #errors = 0;
  #skipped = 0;
  #finish: () => void = () => {};

  constructor(options: LoadJobOptions) {
    this.#options = options;
    this.spec = options.spec;
    this.endsAt = new Date(this.started.getTime() + this.spec.durationMs);
    this.#planned = Math.max(1, Math.floor((this.spec.durationMs * this.spec.rps) / 1000));
    this.maxInFlight = Math.min(256, Math.max(4, Math.ceil(this.spec.rps * 2)));
    this.#pool = new Pool(this.spec.target.origin, {
      connections: this.maxInFlight,
      pipelining: 1,
      keepAliveTimeout: 10_000,
      connectTimeout: options.requestTimeoutMs,
    });
    this.done = new Promise((resolve) => {
      this.#finish = resolve;
    });
    // Ticks of 1/rps, between 10 ms (timer resolution) and 100 ms; each tick sends what is due.
    const tickMs = Math.min(100, Math.max(10, 1000 / this.spec.rps));
    this.#timer = setInterval(() => this.#tick(), tickMs);
    this.#tick();
  }

  /** Still sending; once the last request left, a repeat hook call may start the next run. */
  get sending(): boolean {
    return this.#timer !== undefined;
  }

  status(): LoadJobStatus {
    return {
      canary: this.spec.canary,
      checksum: this.spec.checksum,
      method: this.spec.method,
      target: this.spec.target.href,
      rps: this.spec.rps,
      started: this.started.toISOString(),
      endsAt: this.endsAt.toISOString(),
      sent: this.#sent,
      errors: this.#errors,
      skipped: this.#skipped,
      inFlight: this.#inFlight.size,
    };
  }

  /** Stops at once: no new request, the ones in flight are aborted, connections closed. */
  async stop(): Promise<void> {
    this.#stopTimer();
    this.#stopped = true;
    await this.#pool.destroy().catch(() => undefined);
    await Promise.allSettled([...this.#inFlight]);
    this.#finish();
  }

  #tick(): void {
    const elapsedMs = performance.now() - this.#startedAt;
    // The schedule is computed from the start time, so timer jitter never drifts the rate.
    const due = Math.min(this.#planned, Math.floor((elapsedMs * this.spec.rps) / 1000) + 1);
    while (this.#scheduled < due) {
      this.#scheduled += 1;
      if (this.#inFlight.size >= this.maxInFlight) {
        this.#skipped += 1;
        this.#options.metrics.loadSkipped.inc({ canary: this.spec.canary });
        continue;
      }
      const request = this.#send();
      this.#inFlight.add(request);
      void request.finally(() => this.#inFlight.delete(request));
    }
    if (this.#scheduled >= this.#planned) {
      this.#stopTimer();
      void this.#drain();
    }
  }

  async #send(): Promise<void> {
    const { canary, method, headers, target } = this.spec;
    const timeoutMs = this.#options.requestTimeoutMs;
    this.#sent += 1;
    const start = performance.now();
    let status: string;
    try {
      const response = await this.#pool.request({
        method,
        path: `${target.pathname}${target.search}`,
        headers,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
        // stop() fails the requests in flight by destroying the pool; this bounds the rest.
        signal: AbortSignal.timeout(timeoutMs),
      });
      await response.body.dump({ limit: MAX_BODY_BYTES });
      status = statusClass(response.statusCode);
      if (response.statusCode >= 500) this.#errors += 1;
    } catch {
      // Aborted by stop(): the job was replaced or the tester is closing, not the target's fault.
      if (this.#stopped) return;
      status = 'error';
      this.#errors += 1;
    }
    const { metrics } = this.#options;
    metrics.loadRequests.inc({ canary, status });
    metrics.loadRequestDuration.observe({ canary }, (performance.now() - start) / 1000);
  }

  /** After the last scheduled request: wait for the answers, then close the connections. */
  async #drain(): Promise<void> {
    await Promise.allSettled([...this.#inFlight]);
    await this.#pool.close().catch(() => undefined);
    this.#finish();
  }

  #stopTimer(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
