import { setTimeout as sleep } from 'node:timers/promises';
import type { RequestHandler } from 'express';
import { errorBody } from './errors.js';
import { OPERATIONAL_PATHS } from './metrics.js';

export interface FaultOptions {
  /** Share of requests answered with 500, 0..1. */
  errorRate: number;
  /** Latency added to every request, in milliseconds. */
  delayMs: number;
  /** Injectable for deterministic tests. */
  random?: () => number;
}

/**
 * Release-testing faults, off by default. Probes, metrics and /version stay healthy so a
 * "sick" canary is judged by its traffic metrics, not killed by its kubelet.
 */
export function faultInjection({
  errorRate,
  delayMs,
  random = Math.random,
}: FaultOptions): RequestHandler | undefined {
  if (errorRate <= 0 && delayMs <= 0) return undefined;
  return async (req, res, next) => {
    if (OPERATIONAL_PATHS.has(req.path) || req.path === '/version') {
      next();
      return;
    }
    if (delayMs > 0) await sleep(delayMs);
    if (errorRate > 0 && random() < errorRate) {
      res.status(500).json(errorBody('fault_injected', 'fault injected by FAULT_ERROR_RATE'));
      return;
    }
    next();
  };
}
