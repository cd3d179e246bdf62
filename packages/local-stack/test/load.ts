import { setTimeout as sleep } from 'node:timers/promises';

/** How one request ended, as the caller judges it. */
export interface Outcome {
  ok: boolean;
  /** What is counted, e.g. `redirect 302` or `create 503`. */
  label: string;
  /** Kept for the first failures, to say what went wrong. */
  detail?: string;
}

export interface LoadOptions {
  /** Requests in flight at most. */
  concurrency: number;
  /** Hard bounds: the load stops at whichever comes first, or at stop(). */
  maxRequests: number;
  maxDurationMs: number;
  /** Requests started per second at most, over all workers; unset: as fast as answers come. */
  maxRatePerSecond?: number;
  /** Each request is aborted after this long, and counted as a failure. */
  requestTimeoutMs: number;
  /**
   * Sends request number i and judges the answer. A rejection counts as a failure labelled
   * `<name> error` with the error's message (a reset connection, a timeout).
   */
  send: (i: number, signal: AbortSignal) => Promise<Outcome>;
  /** Names the request in the failure label when send rejects. */
  nameOf?: (i: number) => string;
}

export interface LoadFailure {
  label: string;
  detail: string;
  /** Since the load started. */
  atMs: number;
}

export interface LoadReport {
  requests: number;
  ok: number;
  failed: number;
  byLabel: Record<string, number>;
  /** The first 50 failures. */
  failures: LoadFailure[];
  durationMs: number;
  latencyMs: { p50: number; p99: number; max: number };
}

export interface RunningLoad {
  /** Counts so far, while the load runs. */
  snapshot(): LoadReport;
  /** Ends the load: no new request starts; resolves when those in flight have ended. */
  stop(): Promise<LoadReport>;
  /** Resolves when a bound is reached or stop() was called and every request has ended. */
  done: Promise<LoadReport>;
}

const MAX_KEPT_FAILURES = 50;

/**
 * Bounded load: a fixed number of workers, each sending one request at a time until the count,
 * the duration or stop() ends it. Every request is counted by outcome, so a test can assert
 * that none failed and print what happened.
 */
export function startLoad(options: LoadOptions): RunningLoad {
  const started = performance.now();
  const byLabel = new Map<string, number>();
  const failures: LoadFailure[] = [];
  const latencies: number[] = [];
  let issued = 0;
  let ok = 0;
  let failed = 0;
  let stopped = false;
  const deadline = started + options.maxDurationMs;
  const intervalMs = options.maxRatePerSecond ? 1_000 / options.maxRatePerSecond : 0;

  const count = (outcome: Outcome) => {
    byLabel.set(outcome.label, (byLabel.get(outcome.label) ?? 0) + 1);
    if (outcome.ok) {
      ok += 1;
      return;
    }
    failed += 1;
    if (failures.length < MAX_KEPT_FAILURES) {
      failures.push({
        label: outcome.label,
        detail: outcome.detail ?? '',
        atMs: Math.round(performance.now() - started),
      });
    }
  };

  const report = (): LoadReport => {
    const sorted = [...latencies].sort((a, b) => a - b);
    const at = (q: number) =>
      round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0);
    return {
      requests: ok + failed,
      ok,
      failed,
      byLabel: Object.fromEntries([...byLabel.entries()].sort(([a], [b]) => a.localeCompare(b))),
      failures: [...failures],
      durationMs: Math.round(performance.now() - started),
      latencyMs: { p50: at(0.5), p99: at(0.99), max: round(sorted.at(-1) ?? 0) },
    };
  };

  const worker = async () => {
    for (;;) {
      if (stopped || issued >= options.maxRequests || performance.now() >= deadline) return;
      const i = issued++;
      if (intervalMs > 0) {
        const slot = started + i * intervalMs;
        const wait = slot - performance.now();
        if (wait > 0) await sleep(wait);
        if (stopped || performance.now() >= deadline) return;
      }
      const begin = performance.now();
      try {
        count(await options.send(i, AbortSignal.timeout(options.requestTimeoutMs)));
      } catch (error) {
        const name = options.nameOf?.(i) ?? 'request';
        count({ ok: false, label: `${name} error`, detail: describe(error) });
      }
      latencies.push(performance.now() - begin);
    }
  };

  const done = Promise.all(Array.from({ length: options.concurrency }, worker)).then(report);
  return {
    snapshot: report,
    async stop() {
      stopped = true;
      return done;
    },
    done,
  };
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

/** The error and its causes, since fetch hides the socket error behind "fetch failed". */
function describe(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  while (current instanceof Error && parts.length < 4) {
    const code = (current as { code?: unknown }).code;
    parts.push(typeof code === 'string' ? `${code} ${current.message}` : current.message);
    current = current.cause;
  }
  return parts.length > 0 ? parts.join(' <- ') : String(error);
}
