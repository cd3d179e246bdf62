import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Retries an assertion until it passes or the deadline passes (then its last error is thrown),
 * so recovery is asserted with a bound instead of a fixed sleep. Resolves with the time it took, in ms.
 */
export async function eventually(
  check: () => Promise<unknown>,
  timeoutMs: number,
  intervalMs = 100,
): Promise<number> {
  const start = performance.now();
  for (;;) {
    try {
      await check();
      return performance.now() - start;
    } catch (error) {
      if (performance.now() - start > timeoutMs) throw error;
      await sleep(intervalMs);
    }
  }
}
