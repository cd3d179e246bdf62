import { setTimeout as sleep } from 'node:timers/promises';

export interface PollOptions {
  /** How long the condition may take, from the first attempt. */
  withinMs: number;
  intervalMs: number;
  signal: AbortSignal;
}

/**
 * Asks `attempt` until it returns a value or the time is up (then undefined). Used where the
 * contract allows a delay (expiry, buffered clicks): the check passes as soon as it can, and a
 * fixed sleep would be both slower and flakier.
 */
export async function poll<T>(
  attempt: () => Promise<T | undefined>,
  { withinMs, intervalMs, signal }: PollOptions,
): Promise<T | undefined> {
  const deadline = performance.now() + withinMs;
  for (;;) {
    const value = await attempt();
    if (value !== undefined) return value;
    const left = deadline - performance.now();
    if (left <= 0) return undefined;
    await sleep(Math.min(intervalMs, left), undefined, { signal });
  }
}
