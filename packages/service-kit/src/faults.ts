import { setTimeout as sleep } from 'node:timers/promises';

export interface FaultOptions {
  /** Share of requests answered with 500, 0..1. */
  errorRate: number;
  /** Latency added to every request, in milliseconds. */
  delayMs: number;
  /** Injectable for deterministic tests. */
  random?: () => number;
}

/** Release-testing faults for one request; undefined when none are configured. */
export type Faults = () => Promise<'fail' | 'pass'>;

/**
 * Release-testing faults, off by default. The caller exempts probes, metrics and /version, so a
 * "sick" canary is judged by its traffic metrics, not killed by its kubelet.
 */
export function createFaults({
  errorRate,
  delayMs,
  random = Math.random,
}: FaultOptions): Faults | undefined {
  if (errorRate <= 0 && delayMs <= 0) return undefined;
  return async () => {
    if (delayMs > 0) await sleep(delayMs);
    return errorRate > 0 && random() < errorRate ? 'fail' : 'pass';
  };
}
